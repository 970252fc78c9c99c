/// Height and width of an image in pixels.
public struct ImageSize: Equatable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// A square size.
    public init(_ side: Int) {
        self.init(height: side, width: side)
    }

    public var description: String { "\(height)x\(width)" }
}
