import Foundation

/// Reads a Pascal VOC style data set as PaddleDetection's `voc_loader` does.
///
/// `datasetDir/annotation` is a list file whose lines are `IMAGE XML`, both relative to the list
/// file's folder (e.g. `JPEGImages/000005.jpg Annotations/000005.xml`). Each XML has
/// `size/width`, `size/height`, an optional `id`, and `object`s with `name`, `difficult` and
/// `bndbox/{xmin,ymin,xmax,ymax}`. Class names map to ids through the 20 default VOC classes
/// (`useDefaultLabel`) or the list file folder's `label_list.txt`.
///
/// As in PaddleDetection: boxes are clipped to `0 <= x <= width - 1`, `0 <= y <= height - 1`;
/// images without objects are left out (but still count for the `im_id` of later ones).
/// Stricter than PaddleDetection: a listed XML or image that does not exist is an error (it
/// skips a missing XML), as is a line that is not two paths, a box that is empty after
/// clipping, or a class name outside the label map. A missing `difficult` reads as 0.
public struct VOCAnnotationReader: Sendable {
    public var datasetDir: String
    public var annotation: String
    public var useDefaultLabel: Bool
    public var withBackground: Bool

    public init(datasetDir: String, annotation: String, useDefaultLabel: Bool = true, withBackground: Bool = false) {
        self.datasetDir = datasetDir
        self.annotation = annotation
        self.useDefaultLabel = useDefaultLabel
        self.withBackground = withBackground
    }

    /// Path of the list file.
    public var listPath: String { AnnotationText.join(datasetDir, annotation) }

    /// The label map: the default VOC classes, or `label_list.txt` next to the list file.
    public func labelMap() throws -> DetectionLabelMap {
        if useDefaultLabel { return .pascalVOC(withBackground: withBackground) }
        let dir = (listPath as NSString).deletingLastPathComponent
        return try .read(labelList: AnnotationText.join(dir, "label_list.txt"), withBackground: withBackground)
    }

    /// Every image with at least one object, in list order, and the label map.
    /// - Throws: `DataError.missingFile` (exit 74) for a missing list, XML or image file;
    ///   `DataError.malformed` naming `file:line` for anything malformed, or when no listed
    ///   image has an object.
    public func read() throws -> (records: [DetectionRecord], labels: DetectionLabelMap) {
        let labels = try labelMap()
        let list = listPath
        let dir = (list as NSString).deletingLastPathComponent
        var records: [DetectionRecord] = []
        var parsed = 0
        for (i, raw) in try AnnotationText.read(list).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == 2 else {
                throw DataError.malformed(path: "\(list):\(i + 1)", reason:
                    "expected two paths 'IMAGE XML', found \(fields.count) fields")
            }
            let image = AnnotationText.join(dir, String(fields[0])), xml = AnnotationText.join(dir, String(fields[1]))
            try AnnotationText.requireFile(xml, listedAt: "\(list):\(i + 1)")
            try AnnotationText.requireFile(image, listedAt: "\(list):\(i + 1)")
            let record = try VOCAnnotationFile(path: xml, labels: labels).record(imagePath: image, defaultID: parsed)
            parsed += 1
            if !record.objects.isEmpty { records.append(record) }
        }
        guard !records.isEmpty else {
            throw DataError.malformed(path: list, reason: "lists no image with an annotated object")
        }
        return (records, labels)
    }
}
