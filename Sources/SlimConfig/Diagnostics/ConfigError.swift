import Foundation

/// A configuration error: one or more positioned diagnostics, sorted by position.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.mark < $1.mark }
    }

    public init(_ message: String, at mark: SourceMark, notes: [String] = [], source: SourceText? = nil) {
        self.init([Diagnostic(mark: mark, message: message, notes: notes, sourceLine: source?.line(mark.line))])
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// The text of a configuration source, kept to quote lines in diagnostics.
public struct SourceText: Sendable {
    public let name: String
    public let text: String
    private let lines: [Substring]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The 1-based line `n`, without its newline, or nil past the end.
    public func line(_ n: Int) -> String? {
        guard n >= 1, n <= lines.count else { return nil }
        return String(lines[n - 1]).replacingOccurrences(of: "\r", with: "")
    }
}
