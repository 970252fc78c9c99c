import Foundation

/// One Pascal VOC annotation XML, parsed strictly: every value the reader needs must be present
/// and numeric, and errors name `file:line` of the offending element.
public struct VOCAnnotationFile: Sendable {
    public let path: String
    public let labels: DetectionLabelMap
    let root: XMLTreeNode

    /// Parses `path`.
    /// - Throws: `DataError.missingFile` when it cannot be read, `DataError.malformed` when it is not XML.
    public init(path: String, labels: DetectionLabelMap) throws {
        self.path = path
        self.labels = labels
        root = try XMLTreeNode.parse(path: path)
    }

    /// The record of this file: the `id` element when present, else `defaultID`; boxes clipped
    /// to the declared size (`xmin = max(0, xmin)`, `xmax = min(width - 1, xmax)`, same for y).
    /// - Throws: `DataError.malformed` naming the element and its line.
    public func record(imagePath: String, defaultID: Int) throws -> DetectionRecord {
        let imageID = try root.child("id").map { try integer($0) } ?? defaultID
        let size = try required("size", in: root)
        let width = try integer(required("width", in: size)), height = try integer(required("height", in: size))
        guard width > 0, height > 0 else {
            throw error(size, "declares an empty image \(width)x\(height)")
        }
        let objects = try root.children(named: "object").map { try object($0, width: width, height: height) }
        return DetectionRecord(imagePath: imagePath, imageID: imageID, width: width, height: height, objects: objects)
    }

    private func object(_ node: XMLTreeNode, width: Int, height: Int) throws -> GroundTruthBox {
        let nameNode = try required("name", in: node)
        guard let label = labels.id(of: nameNode.text) else {
            let hint = labels.names == DetectionLabelMap.pascalVOCNames
                ? " (use_default_label: true reads the 20 Pascal VOC classes; a data set with its own label_list.txt needs use_default_label: false)"
                : ""
            throw error(nameNode, "class '\(nameNode.text)' is not one of the \(labels.names.count) classes of the label map" + hint)
        }
        var difficult = false
        if let node = node.child("difficult") {
            let value = try integer(node)
            guard value == 0 || value == 1 else { throw error(node, "expected 0 or 1, found \(value)") }
            difficult = value == 1
        }
        let bndbox = try required("bndbox", in: node)
        let values = try ["xmin", "ymin", "xmax", "ymax"].map { try number(required($0, in: bndbox)) }
        let box = BoundingBox(xmin: max(0, values[0]), ymin: max(0, values[1]),
                              xmax: min(Double(width - 1), values[2]), ymax: min(Double(height - 1), values[3]))
        guard box.xmax >= box.xmin, box.ymax >= box.ymin else {
            throw error(bndbox, "box (\(values[0]), \(values[1]), \(values[2]), \(values[3])) is empty inside the \(width)x\(height) image")
        }
        return GroundTruthBox(label: label, box: box, difficult: difficult)
    }

    private func required(_ name: String, in node: XMLTreeNode) throws -> XMLTreeNode {
        guard let child = node.child(name) else { throw error(node, "has no <\(name)> element") }
        return child
    }

    private func integer(_ node: XMLTreeNode) throws -> Int {
        guard let value = Int(node.text) else { throw error(node, "expected an integer, found '\(node.text)'") }
        return value
    }

    private func number(_ node: XMLTreeNode) throws -> Double {
        guard let value = Double(node.text), value.isFinite else { throw error(node, "expected a number, found '\(node.text)'") }
        return value
    }

    private func error(_ node: XMLTreeNode, _ reason: String) -> DataError {
        .malformed(path: "\(path):\(node.line)", reason: "<\(node.name)> \(reason)")
    }
}
