import SlimTensor

/// A variable of a program: a name, a shape (`-1` for the batch dimension), an element type, and
/// whether it is persistable (weights, statistics, quantization state: saved in params files) and
/// trainable (updated by the optimizer).
public struct VarDesc: Codable, Hashable, Sendable {
    public var name: String
    public var shape: [Int]
    public var dtype: DType
    public var persistable: Bool
    public var trainable: Bool

    public init(name: String, shape: [Int], dtype: DType = .f32, persistable: Bool = false, trainable: Bool = false) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.persistable = persistable
        self.trainable = trainable
    }
}
