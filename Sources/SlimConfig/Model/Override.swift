/// One `-o KEY=VALUE` override: a dotted key path and a YAML value.
///
/// The value is parsed as YAML (tags included), so
/// `LearningRate.schedulers="[!PiecewiseDecay {gamma: 0.1, milestones: [258, 516]}]"` works.
/// Errors are reported against the override text itself, as file `-o #N` (N is 1-based).
public struct Override: Sendable {
    public let path: [String]
    /// Where each key segment starts in the override text.
    public let keyMarks: [SourceMark]
    public let value: Node
    public let text: String

    /// Parses the `index`-th (0-based) override.
    public init(_ text: String, index: Int) throws {
        let name = "-o #\(index + 1)"
        let source = SourceText(name: name, text: text)
        guard let eq = text.firstIndex(of: "=") else {
            throw ConfigError("override must be KEY=VALUE", at: SourceMark(file: name, line: 1, column: 1),
                              notes: ["for example: -o LearningRate.base_lr=0.001"], source: source)
        }
        let key = String(text[..<eq])
        let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if let bad = path.firstIndex(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) }) {
            let column = path[..<bad].reduce(1) { $0 + $1.count + 1 }
            throw ConfigError("empty or malformed key segment in '\(key)'", at: SourceMark(file: name, line: 1, column: column), source: source)
        }
        let valueText = String(text[text.index(after: eq)...])
        let offset = key.count + 1
        let value: Node
        do {
            value = try YAMLReader(name: name, text: valueText).parse()
        } catch let error as ConfigError {
            throw ConfigError(error.diagnostics.map { d in
                var moved = d
                if d.mark.line == 1 { moved.mark.column += offset }
                if source.line(moved.mark.line) == nil || moved.mark.line > 1 {
                    // libyaml reports a missing closer at the end of input: point at the end of the text.
                    moved.mark = SourceMark(file: name, line: 1, column: text.count + 1)
                }
                moved.sourceLine = source.line(moved.mark.line)
                return moved
            })
        }
        self.path = path
        var column = 1
        keyMarks = path.map { segment in
            defer { column += segment.count + 1 }
            return SourceMark(file: name, line: 1, column: column)
        }
        self.value = Override.shift(value, columns: offset)
        self.text = text
    }

    /// Moves first-line marks right by the key's length so they point into the whole override text.
    private static func shift(_ node: Node, columns: Int) -> Node {
        var n = node
        if n.mark.line == 1 { n.mark.column += columns }
        switch n.kind {
        case .scalar: break
        case .sequence(let items): n.kind = .sequence(items.map { shift($0, columns: columns) })
        case .mapping(let entries):
            n.kind = .mapping(entries.map { Node.Entry(key: shift($0.key, columns: columns), value: shift($0.value, columns: columns)) })
        }
        return n
    }

    /// The dotted key.
    public var key: String { path.joined(separator: ".") }
}

extension Node {
    /// Sets `value` at `path`, creating mappings on the way; a mapping value merges recursively into an
    /// existing mapping (siblings kept), anything else replaces. Throws when a path step is not a mapping.
    public mutating func merge(_ value: Node, at path: ArraySlice<String>, keyMarks: ArraySlice<SourceMark>) throws {
        guard let head = path.first else {
            if let incoming = value.entries, entries != nil, value.tag == nil {
                // An untagged mapping merges key by key; a tagged one is a new object and replaces.
                for entry in incoming {
                    guard let k = entry.key.text else { continue }
                    try merge(entry.value, at: [k][...], keyMarks: [entry.key.mark][...])
                }
            } else {
                self = value
            }
            return
        }
        guard var entries = entries else {
            throw ConfigError("cannot set '\(head)' inside \(kindDescription)", at: keyMarks.first ?? value.mark)
        }
        if let i = entries.firstIndex(where: { $0.key.text == head }) {
            try entries[i].value.merge(value, at: path.dropFirst(), keyMarks: keyMarks.dropFirst())
        } else {
            let keyMark = keyMarks.first ?? value.mark
            var child = Node(.mapping([]), mark: keyMark)
            try child.merge(value, at: path.dropFirst(), keyMarks: keyMarks.dropFirst())
            if path.count == 1 { child = value }
            entries.append(Node.Entry(key: .scalar(head, mark: keyMark), value: child))
        }
        kind = .mapping(entries)
    }
}
