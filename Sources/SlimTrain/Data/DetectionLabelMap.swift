import Foundation

/// Class names of a detection data set and the ids the readers give them (PaddleDetection's
/// `cname2cid`).
///
/// Ids are the position in `names`, counted from 0; with `withBackground` they count from 1
/// and id 0 is the background, as in PaddleDetection's feeds with `with_background: true`
/// (SSD, Faster R-CNN). YOLOv3 feeds use `with_background: false`, the default here.
public struct DetectionLabelMap: Equatable, Sendable {
    /// Class names in id order.
    public var names: [String]
    /// Whether id 0 is reserved for the background (real classes then start at 1).
    public var withBackground: Bool

    public init(names: [String], withBackground: Bool = false) {
        self.names = names
        self.withBackground = withBackground
    }

    /// The 20 Pascal VOC classes in PaddleDetection's order (`pascalvoc_label`).
    public static let pascalVOCNames = [
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
        "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ]

    /// The default VOC map (`use_default_label: true`).
    public static func pascalVOC(withBackground: Bool = false) -> DetectionLabelMap {
        DetectionLabelMap(names: pascalVOCNames, withBackground: withBackground)
    }

    /// The map of a `label_list.txt`: one class name per line (surrounding white space removed;
    /// blank lines are ignored).
    /// - Throws: `DataError.missingFile` when the file cannot be read, `DataError.malformed`
    ///   naming `path:line` for a repeated name, and when the file names no class.
    public static func read(labelList path: String, withBackground: Bool = false) throws -> DetectionLabelMap {
        let text = try AnnotationText.read(path)
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.isEmpty { continue }
            if let first = seen[name] {
                throw DataError.malformed(path: "\(path):\(i + 1)", reason: "class '\(name)' repeats line \(first)")
            }
            seen[name] = i + 1
            names.append(name)
        }
        guard !names.isEmpty else { throw DataError.malformed(path: path, reason: "names no class (expected one class name per line)") }
        return DetectionLabelMap(names: names, withBackground: withBackground)
    }

    /// The id of `name`, or nil when it is not a class of the map.
    public func id(of name: String) -> Int? {
        names.firstIndex(of: name).map { $0 + (withBackground ? 1 : 0) }
    }

    /// `num_classes` a model needs: the classes, plus one for the background when reserved.
    public var numClasses: Int { names.count + (withBackground ? 1 : 0) }
}
