/// Element types a tensor can hold.
public enum DType: String, CaseIterable, Codable, Sendable {
    case f32, s8, u8, s32

    /// Size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .f32, .s32: return 4
        case .s8, .u8: return 1
        }
    }
}
