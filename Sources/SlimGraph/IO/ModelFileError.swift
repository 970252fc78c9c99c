/// A model file (program or params) that cannot be read or written: which file, what was wrong,
/// and what was expected. Every problem a file on disk can have is one of these, never a crash.
public struct ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The class of problem, for callers and tests that branch on it.
    public enum Kind: String, CaseIterable, Sendable {
        /// The directory or file does not exist.
        case missing
        /// The file is not one of ours (wrong magic, not a slim program).
        case foreign
        /// Our file, but a format version this build does not read.
        case unsupportedVersion
        /// The file ends before a length it declares (or is empty).
        case truncated
        /// The stored checksum does not match the bytes.
        case checksumMismatch
        /// Bytes follow the end of the data.
        case trailingBytes
        /// A value inside the file is invalid (bad JSON, unknown dtype, inconsistent sizes).
        case malformed
        /// Program and params disagree (a persistable var missing, or a different shape or dtype).
        case mismatch
        /// The operating system refused a read or write.
        case io
    }

    public var kind: Kind
    /// The file (or directory) concerned.
    public var path: String
    /// What was wrong.
    public var problem: String
    /// What was expected instead.
    public var expected: String
    /// Further notes (files present, options to try).
    public var hints: [String]

    public init(_ kind: Kind, path: String, _ problem: String, expected: String, hints: [String] = []) {
        self.kind = kind
        self.path = path
        self.problem = problem
        self.expected = expected
        self.hints = hints
    }

    public var description: String {
        (["\(path): error: \(problem)", "note: expected \(expected)"] + hints.map { "note: \($0)" })
            .joined(separator: "\n")
    }
}
