/// A problem with a program that a user can cause (a bad model file's graph, an unknown op, a
/// missing feed): a message naming the op and vars involved.
public struct GraphError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public var hints: [String]

    public init(_ message: String, hints: [String] = []) {
        self.message = message
        self.hints = hints
    }

    public var description: String {
        ([message] + hints.map { "note: \($0)" }).joined(separator: "\n")
    }
}
