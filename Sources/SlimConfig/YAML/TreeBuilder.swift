import CLibYAML

/// Turns libyaml events into a `Node` tree, resolving anchors, aliases and merge keys.
struct TreeBuilder {
    private enum Frame {
        case sequence(items: [Node], tag: String?, anchor: String?, mark: SourceMark)
        case mapping(entries: [Node.Entry], pendingKey: Node?, merged: [Node.Entry], tag: String?, anchor: String?, mark: SourceMark)
    }

    let reader: YAMLReader
    private var stack: [Frame] = []
    private var anchors: [String: Node] = [:]
    private(set) var result: Node?

    init(reader: YAMLReader) { self.reader = reader }

    /// Handles one event; returns true when the first document is complete.
    mutating func handle(_ event: inout yaml_event_t) throws -> Bool {
        let mark = reader.mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT, YAML_DOCUMENT_END_EVENT:
            return true
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
            let quoted = s.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || s.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
                || s.style == YAML_LITERAL_SCALAR_STYLE || s.style == YAML_FOLDED_SCALAR_STYLE
            let node = Node(.scalar(text, quoted: quoted), tag: string(s.tag), mark: mark)
            try add(node, anchor: string(s.anchor))
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw reader.error("unknown alias '*\(name)'", at: mark,
                                   notes: Suggestion.note(for: name, in: Array(anchors.keys)).map { [$0] } ?? [])
            }
            var copy = target
            copy.mark = mark
            try add(copy, anchor: nil, isAlias: true)
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            stack.append(.sequence(items: [], tag: string(s.tag), anchor: string(s.anchor), mark: mark))
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            stack.append(.mapping(entries: [], pendingKey: nil, merged: [], tag: string(m.tag), anchor: string(m.anchor), mark: mark))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            try closeCollection()
        default:
            break
        }
        return false
    }

    private func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: $0) }
    }

    private mutating func closeCollection() throws {
        guard let frame = stack.popLast() else { return }
        switch frame {
        case let .sequence(items, tag, anchor, mark):
            try add(Node(.sequence(items), tag: tag, mark: mark), anchor: anchor)
        case let .mapping(entries, _, merged, tag, anchor, mark):
            let explicit = Set(entries.compactMap(\.key.text))
            var seen = Set<String>()
            var inherited: [Node.Entry] = []
            for entry in merged.reversed() {
                guard let key = entry.key.text, !explicit.contains(key), seen.insert(key).inserted else { continue }
                inherited.insert(entry, at: 0)
            }
            try add(Node(.mapping(inherited + entries), tag: tag, mark: mark), anchor: anchor)
        }
    }

    private mutating func add(_ node: Node, anchor: String?, isAlias: Bool = false) throws {
        if let anchor { anchors[anchor] = node }
        guard let top = stack.popLast() else {
            result = node
            return
        }
        switch top {
        case .sequence(var items, let tag, let a, let mark):
            items.append(node)
            stack.append(.sequence(items: items, tag: tag, anchor: a, mark: mark))
        case .mapping(var entries, let pending, var merged, let tag, let a, let mark):
            guard let key = pending else {
                stack.append(.mapping(entries: entries, pendingKey: node, merged: merged, tag: tag, anchor: a, mark: mark))
                return
            }
            if key.text == "<<", key.tag == nil, case .scalar(_, quoted: false) = key.kind {
                merged += try mergeSources(node)
            } else {
                if let name = key.text, entries.contains(where: { $0.key.text == name }) {
                    throw reader.error("duplicate key '\(name)'", at: key.mark)
                }
                entries.append(Node.Entry(key: key, value: node))
            }
            stack.append(.mapping(entries: entries, pendingKey: nil, merged: merged, tag: tag, anchor: a, mark: mark))
        }
    }

    /// The entries a merge key brings in: a mapping, or a list of mappings (earlier ones win).
    private func mergeSources(_ node: Node) throws -> [Node.Entry] {
        if let entries = node.entries { return entries }
        if let items = node.items {
            var all: [Node.Entry] = []
            for item in items.reversed() {
                guard let e = item.entries else { throw reader.error("a merge key '<<' takes mappings", at: item.mark) }
                all += e
            }
            return all
        }
        throw reader.error("a merge key '<<' takes a mapping or a list of mappings, found \(node.kindDescription)", at: node.mark)
    }
}
