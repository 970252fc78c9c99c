import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One XML element as the annotation readers need it: its name, the text directly inside it
/// (trimmed), its child elements in document order, and the line its start tag is on.
///
/// Parsed with Foundation's `XMLParser` (libxml2 on Linux); external entities are not resolved.
struct XMLTreeNode: Equatable, Sendable {
    var name: String
    var text: String
    var children: [XMLTreeNode]
    var line: Int

    /// The first child element called `name`, or nil.
    func child(_ name: String) -> XMLTreeNode? { children.first { $0.name == name } }

    /// Every child element called `name`, in document order.
    func children(named name: String) -> [XMLTreeNode] { children.filter { $0.name == name } }

    /// The root element of the XML file `path`.
    /// - Throws: `DataError.missingFile` when the file cannot be read, `DataError.malformed`
    ///   naming `path:line:column` when it is not well-formed XML.
    static func parse(path: String) throws -> XMLTreeNode {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.missingFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "unreadable" : "no such file")
        }
        return try parse(data, path: path)
    }

    /// The root element of in-memory XML; `path` only names the source in errors.
    static func parse(_ data: Data, path: String) throws -> XMLTreeNode {
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        let builder = XMLTreeBuilder()
        parser.delegate = builder
        // On Linux `parse()` may return true although libxml2 reported an error: check both.
        let ok = parser.parse() && parser.parserError == nil && builder.failureCode == nil
        guard ok, let root = builder.root else {
            let code = (parser.parserError as NSError?)?.code ?? builder.failureCode
            let detail = code.map(libxml2Message) ?? (data.isEmpty ? "the file is empty" : "no root element")
            throw DataError.malformed(path: "\(path):\(parser.lineNumber):\(parser.columnNumber)",
                                      reason: "not well-formed XML: \(detail)")
        }
        return root
    }

    /// libxml2's meaning of the error codes malformed annotation files cause most.
    private static func libxml2Message(_ code: Int) -> String {
        let known = [4: "the document is empty", 5: "extra content at the end of the document, or a missing end tag",
                     26: "undeclared entity", 73: "'>' expected", 76: "end tag does not match the start tag",
                     77: "premature end of data in a tag"]
        return "\(known[code] ?? "libxml2 error") (code \(code))"
    }
}

/// `XMLParser` delegate that assembles `XMLTreeNode`s on a stack.
private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTreeNode] = []
    var root: XMLTreeNode?
    var failureCode: Int?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        stack.append(XMLTreeNode(name: elementName, text: "", children: [], line: parser.lineNumber))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard var node = stack.popLast(), node.name == elementName else {
            if failureCode == nil { failureCode = 76 }
            parser.abortParsing()
            return
        }
        node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if failureCode == nil { failureCode = (parseError as NSError).code }
    }
}
