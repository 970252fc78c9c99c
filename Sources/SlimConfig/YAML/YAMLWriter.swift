/// Writes a `Node` tree back as YAML: block mappings, flow style for small collections, tags kept.
///
/// Values whose dotted path is in `marked` get a trailing `# overridden by -o` comment.
public struct YAMLWriter {
    public var marked: Set<String>

    public init(marked: Set<String> = []) { self.marked = marked }

    public func write(_ root: Node) -> String {
        var out = ""
        if let entries = root.entries {
            writeEntries(entries, indent: 0, path: [], into: &out)
        } else {
            out = flow(root) + "\n"
        }
        return out
    }

    private func writeEntries(_ entries: [Node.Entry], indent: Int, path: [String], into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for entry in entries {
            let key = entry.key.text.map(quoteIfNeeded) ?? flow(entry.key)
            let childPath = path + [entry.key.text ?? ""]
            let comment = marked.contains(childPath.joined(separator: ".")) ? "  # overridden by -o" : ""
            let value = entry.value
            let tag = value.tag.map { $0 + " " } ?? ""
            if let fits = inline(value) {
                out += "\(pad)\(key): \(fits)\(comment)\n"
            } else if let children = value.entries {
                out += "\(pad)\(key):\(value.tag.map { " " + $0 } ?? "")\(comment)\n"
                writeEntries(children, indent: indent + 2, path: childPath, into: &out)
            } else if let items = value.items {
                out += "\(pad)\(key): \(tag)\(comment)\n".replacingOccurrences(of: ": \n", with: ":\n")
                for item in items {
                    if let fits = inline(item) {
                        out += "\(pad)- \(fits)\n"
                    } else {
                        var nested = ""
                        writeEntries(item.entries ?? [], indent: indent + 2, path: childPath, into: &nested)
                        let body = nested.dropFirst(indent + 2)
                        out += "\(pad)- \(item.tag.map { $0 + "\n" + pad + "  " } ?? "")\(body)"
                    }
                }
            }
        }
    }

    /// The node on one line when it is a scalar or a small flat collection.
    private func inline(_ node: Node) -> String? {
        let text = flow(node)
        if case .scalar = node.kind { return text }
        if node.isMapping, node.entries?.isEmpty == true { return text }
        return text.count <= 80 && !containsDeepNesting(node) ? text : nil
    }

    private func containsDeepNesting(_ node: Node) -> Bool {
        let children = (node.items ?? []) + (node.entries?.map(\.value) ?? [])
        return children.contains { child in
            let grand = (child.items ?? []) + (child.entries?.map(\.value) ?? [])
            return grand.contains { !($0.items ?? []).isEmpty || !($0.entries ?? []).isEmpty }
        }
    }

    /// Flow-style text of a node (`!Tag {a: 1, b: [1, 2]}`).
    public func flow(_ node: Node) -> String {
        let tag = node.tag.map { $0 + " " } ?? ""
        switch node.kind {
        case let .scalar(text, quoted):
            return tag + (quoted ? "'" + text.replacingOccurrences(of: "'", with: "''") + "'" : (text.isEmpty ? "~" : text))
        case .sequence(let items):
            return tag + "[" + items.map(flow).joined(separator: ", ") + "]"
        case .mapping(let entries):
            return tag + "{" + entries.map { "\(flow($0.key)): \(flow($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    private func quoteIfNeeded(_ key: String) -> String {
        key.isEmpty || key.contains(where: { ":#{}[],&*!|>'\"%@`".contains($0) }) ? "'\(key)'" : key
    }
}
