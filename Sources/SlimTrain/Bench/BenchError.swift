/// Why `slim bench` cannot measure a configuration.
public struct BenchError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// The options contradict each other or name nothing (a usage error, exit 64).
        case usage
        /// The configuration needs something this version of slim does not have yet (exit 1).
        case unavailable
    }

    public var kind: Kind
    public var message: String
    public var hints: [String]

    public init(_ kind: Kind, _ message: String, hints: [String] = []) {
        self.kind = kind
        self.message = message
        self.hints = hints
    }

    public var description: String {
        (["error: \(message)"] + hints.map { "note: \($0)" }).joined(separator: "\n")
    }
}
