/// A data-parallel run that cannot start or continue: OpenMPI missing, a setting that does not
/// apply to several processes, ranks that disagree.
public struct DistributedError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message + (hint.map { "\n  hint: \($0)" } ?? "") }
}
