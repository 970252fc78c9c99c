import CLibYAML
import Foundation

/// Reads YAML text into a `Node` tree with libyaml's event API.
///
/// Supports tags (kept verbatim), anchors and aliases, merge keys (`<<: *base` or `<<: [*a, *b]`;
/// explicit keys win over merged ones) and 1-based marks. A document that is empty reads as an
/// empty mapping. Only the first document of a stream is read.
public struct YAMLReader {
    public let source: SourceText

    public init(name: String, text: String) {
        source = SourceText(name: name, text: text)
    }

    /// Reads the file at `path`; an unreadable file is a ConfigError at line 1.
    public static func read(path: String) throws -> Node {
        try YAMLReader(path: path).parse()
    }

    /// A reader over the file at `path`.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read file", at: SourceMark(file: path, line: 1, column: 1))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("file is not UTF-8 text", at: SourceMark(file: path, line: 1, column: 1))
        }
        self.init(name: path, text: text)
    }

    /// Parses the text into a node tree.
    public func parse() throws -> Node {
        var bytes = Array(source.text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw ConfigError("libyaml could not initialise a parser", at: mark(line: 0, column: 0))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = TreeBuilder(reader: self)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw syntaxError(parser) }
                defer { yaml_event_delete(&event) }
                if try builder.handle(&event) { break }
            }
            return builder.result ?? Node(.mapping([]), mark: mark(line: 0, column: 0))
        }
    }

    /// A mark from libyaml's 0-based line and column.
    func mark(line: Int, column: Int) -> SourceMark {
        SourceMark(file: source.name, line: line + 1, column: column + 1)
    }

    func mark(_ m: yaml_mark_t) -> SourceMark { mark(line: Int(m.line), column: Int(m.column)) }

    func error(_ message: String, at mark: SourceMark, notes: [String] = []) -> ConfigError {
        ConfigError(message, at: mark, notes: notes, source: source)
    }

    private func syntaxError(_ parser: yaml_parser_t) -> ConfigError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var notes: [String] = []
        if let context = parser.context.map({ String(cString: $0) }) {
            notes.append("\(context) at \(mark(parser.context_mark))")
        }
        return error("YAML syntax: \(problem)", at: mark(parser.problem_mark), notes: notes)
    }
}
