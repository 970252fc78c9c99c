/// A checkpoint that cannot be written or read back (path and what was wrong).
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var problem: String

    public init(path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "checkpoint \(path): \(problem)" }
}
