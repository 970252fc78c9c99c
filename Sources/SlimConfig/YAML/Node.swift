/// A YAML node with its tag and source position.
///
/// Mappings keep key order (configs are diffed and printed back). Scalars keep their text and
/// whether they were quoted, so `'8'` stays a string while `8` resolves to an int.
public struct Node: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case scalar(String, quoted: Bool)
        case sequence([Node])
        case mapping([Entry])
    }

    /// One key/value pair of a mapping.
    public struct Entry: Sendable, Equatable {
        public var key: Node
        public var value: Node
        public init(key: Node, value: Node) {
            self.key = key
            self.value = value
        }
    }

    public var kind: Kind
    /// The tag as written (`!PiecewiseDecay`), nil when untagged.
    public var tag: String?
    public var mark: SourceMark

    public init(_ kind: Kind, tag: String? = nil, mark: SourceMark) {
        self.kind = kind
        self.tag = tag
        self.mark = mark
    }

    /// A plain scalar node.
    public static func scalar(_ text: String, mark: SourceMark) -> Node {
        Node(.scalar(text, quoted: false), mark: mark)
    }

    public var isMapping: Bool { if case .mapping = kind { return true } else { return false } }
    public var isSequence: Bool { if case .sequence = kind { return true } else { return false } }

    /// The mapping's entries, or nil for other kinds.
    public var entries: [Entry]? { if case .mapping(let e) = kind { return e } else { return nil } }
    /// The sequence's items, or nil for other kinds.
    public var items: [Node]? { if case .sequence(let i) = kind { return i } else { return nil } }
    /// The scalar text, or nil for collections.
    public var text: String? { if case .scalar(let s, _) = kind { return s } else { return nil } }

    /// The value under a scalar key of a mapping.
    public subscript(key: String) -> Node? {
        entries?.last { $0.key.text == key }?.value
    }

    /// The string keys of a mapping, in order.
    public var keys: [String] { entries?.compactMap(\.key.text) ?? [] }

    /// A short name of this node's kind for messages ("a mapping", "an integer", ...).
    public var kindDescription: String {
        switch kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return scalarValue.kindDescription
        }
    }
}
