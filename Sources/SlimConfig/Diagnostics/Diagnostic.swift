/// One positioned configuration problem, rendered like a compiler's:
///
///     model.yml:3:5: error: unknown key 'bas_lr' in LearningRate
///       bas_lr: 0.01
///       ^
///     note: did you mean 'base_lr'?
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public var mark: SourceMark
    public var message: String
    public var notes: [String]
    /// The source line the mark points into, when known.
    public var sourceLine: String?

    public init(mark: SourceMark, message: String, notes: [String] = [], sourceLine: String? = nil) {
        self.mark = mark
        self.message = message
        self.notes = notes
        self.sourceLine = sourceLine
    }

    public var description: String {
        var text = "\(mark): error: \(message)"
        if let line = sourceLine {
            text += "\n  \(line)\n  " + String(repeating: " ", count: max(mark.column - 1, 0)) + "^"
        }
        for note in notes { text += "\nnote: \(note)" }
        return text
    }
}
