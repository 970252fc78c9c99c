import Foundation

/// Reads a COCO instances JSON (`images`, `annotations`, `categories`) as PaddleDetection's
/// `coco_loader` does (pycocotools underneath).
///
/// - Class ids: categories in file order (pycocotools' `getCatIds`), numbered from 0, or from 1
///   with `withBackground`; the label map carries their names.
/// - Boxes: COCO `[x, y, w, h]` becomes `x1 = max(0, x)`, `y1 = max(0, y)`,
///   `x2 = min(width - 1, x1 + max(0, w - 1))`, `y2 = min(height - 1, y1 + max(0, h - 1))`
///   (pixel-inclusive corners); a box with `area <= 0` or `x2 < x1` or `y2 < y1` is left out, as
///   PaddleDetection does with a warning (counted in `skippedBoxes`). `area` defaults to `w * h`.
/// - Crowds: PaddleDetection asks pycocotools for `iscrowd=False` annotations only, so crowd
///   regions are dropped; `includeCrowd` keeps them with `isCrowd` set (for COCO evaluation).
/// - Images: every image in file order, also those without annotations, as release/0.1 does;
///   `skipEmptyImages` leaves those out.
///
/// Image paths are `imageDir/file_name`; each must exist.
public struct COCOAnnotationReader: Sendable {
    public var annotation: String
    public var imageDir: String
    public var withBackground: Bool
    public var includeCrowd: Bool
    public var skipEmptyImages: Bool

    public init(annotation: String, imageDir: String, withBackground: Bool = false,
                includeCrowd: Bool = false, skipEmptyImages: Bool = false) {
        self.annotation = annotation
        self.imageDir = imageDir
        self.withBackground = withBackground
        self.includeCrowd = includeCrowd
        self.skipEmptyImages = skipEmptyImages
    }

    /// The records, the label map, and how many invalid boxes were left out.
    /// - Throws: `DataError.missingFile` (exit 74) for a missing JSON or image file;
    ///   `DataError.malformed` naming the JSON path of a wrong or missing value
    ///   (e.g. `annotations[3].bbox`), a repeated id, an unknown image or category id, or a file
    ///   without any image.
    public func read() throws -> (records: [DetectionRecord], labels: DetectionLabelMap, skippedBoxes: Int) {
        let file = try decode()
        for (i, image) in file.images.enumerated() where image.width <= 0 || image.height <= 0 {
            throw DataError.malformed(path: annotation, reason: "images[\(i)] declares an empty image \(image.width)x\(image.height)")
        }
        let labels = DetectionLabelMap(names: file.categories.map(\.name), withBackground: withBackground)
        let (objects, skipped) = try objectsPerImage(file)
        var records: [DetectionRecord] = []
        for (i, image) in file.images.enumerated() where !(skipEmptyImages && objects[i].isEmpty) {
            let path = AnnotationText.join(imageDir, image.file_name)
            try AnnotationText.requireFile(path, listedAt: "\(annotation) images[\(i)]")
            records.append(DetectionRecord(imagePath: path, imageID: image.id, width: image.width, height: image.height, objects: objects[i]))
        }
        guard !records.isEmpty else { throw DataError.malformed(path: annotation, reason: "holds no image record") }
        return (records, labels, skipped)
    }

    /// The kept objects of each image (in `images` order), and how many invalid boxes were left out.
    private func objectsPerImage(_ file: File) throws -> (objects: [[GroundTruthBox]], skipped: Int) {
        let categoryIndex = try positions(file.categories.map(\.id), of: "categories")
        let imageIndex = try positions(file.images.map(\.id), of: "images")
        var objects = [[GroundTruthBox]](repeating: [], count: file.images.count)
        var skipped = 0
        for (i, ann) in (file.annotations ?? []).enumerated() {
            guard let imageAt = imageIndex[ann.image_id] else {
                throw DataError.malformed(path: annotation, reason: "annotations[\(i)].image_id \(ann.image_id) is not an image of the file")
            }
            guard let category = categoryIndex[ann.category_id] else {
                throw DataError.malformed(path: annotation, reason: "annotations[\(i)].category_id \(ann.category_id) is not a category of the file")
            }
            let crowd = (ann.iscrowd ?? 0) != 0
            if crowd && !includeCrowd { continue }
            let image = file.images[imageAt]
            guard let box = try clippedBox(ann, index: i, width: Double(image.width), height: Double(image.height)) else {
                skipped += 1
                continue
            }
            objects[imageAt].append(GroundTruthBox(label: category + (withBackground ? 1 : 0), box: box,
                                                   isCrowd: crowd, area: ann.area))
        }
        return (objects, skipped)
    }

    /// Position of each id in `ids`, refusing a repeated id (`section[i].id ... repeats`).
    private func positions(_ ids: [Int], of section: String) throws -> [Int: Int] {
        var index: [Int: Int] = [:]
        for (i, id) in ids.enumerated() {
            guard index.updateValue(i, forKey: id) == nil else {
                throw DataError.malformed(path: annotation, reason: "\(section)[\(i)].id \(id) repeats an earlier id")
            }
        }
        return index
    }

    /// PaddleDetection's clipped pixel-inclusive corners of `ann`, or nil when invalid.
    private func clippedBox(_ ann: Annotation, index: Int, width: Double, height: Double) throws -> BoundingBox? {
        guard ann.bbox.count == 4, ann.bbox.allSatisfy(\.isFinite) else {
            throw DataError.malformed(path: annotation, reason: "annotations[\(index)].bbox: expected 4 finite numbers [x, y, w, h], found \(ann.bbox)")
        }
        let (x, y, w, h) = (ann.bbox[0], ann.bbox[1], ann.bbox[2], ann.bbox[3])
        let x1 = max(0, x), y1 = max(0, y)
        let x2 = min(width - 1, x1 + max(0, w - 1)), y2 = min(height - 1, y1 + max(0, h - 1))
        guard (ann.area ?? w * h) > 0, x2 >= x1, y2 >= y1 else { return nil }
        return BoundingBox(xmin: x1, ymin: y1, xmax: x2, ymax: y2)
    }

    private func decode() throws -> File {
        guard let data = FileManager.default.contents(atPath: annotation) else {
            throw DataError.missingFile(path: annotation, reason: FileManager.default.fileExists(atPath: annotation) ? "unreadable" : "no such file")
        }
        do {
            return try JSONDecoder().decode(File.self, from: data)
        } catch let error as DecodingError {
            if case let .dataCorrupted(context) = error, context.codingPath.isEmpty {
                throw DataError.malformed(path: annotation, reason: Self.syntaxProblem(data))
            }
            throw DataError.malformed(path: annotation, reason: Self.describe(error))
        } catch {
            throw DataError.malformed(path: annotation, reason: "not COCO JSON: \(error.localizedDescription)")
        }
    }

    /// What is wrong with JSON the decoder refused without naming a place: JSONSerialization's
    /// syntax error (with its position), else a number that does not fit its integer field.
    static func syntaxProblem(_ data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data)
            return "a value does not fit its field (ids, width, height, category_id, iscrowd must be integers)"
        } catch {
            let info = (error as NSError).userInfo
            return "not valid JSON: \((info[NSDebugDescriptionErrorKey] as? String) ?? error.localizedDescription)"
        }
    }

    /// `images[2].width: expected Int` style text for a decoding error.
    static func describe(_ error: DecodingError) -> String {
        func where_(_ path: [CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "top level" : text)
        }
        switch error {
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            return "\(where_(context.codingPath)): expected \(type)"
        case let .keyNotFound(key, context):
            return "\(where_(context.codingPath + [key])): missing"
        case let .dataCorrupted(context):
            let underlying = (context.underlyingError as NSError?).map { error in
                (error.userInfo[NSDebugDescriptionErrorKey] as? String) ?? error.localizedDescription
            }
            return "\(where_(context.codingPath)): \(underlying ?? context.debugDescription)"
        @unknown default:
            return "not COCO JSON: \(error)"
        }
    }

    private struct File: Decodable {
        var images: [Image]
        var annotations: [Annotation]?
        var categories: [Category]
    }

    private struct Image: Decodable {
        var id: Int
        var file_name: String
        var width: Int
        var height: Int
    }

    private struct Annotation: Decodable {
        var image_id: Int
        var category_id: Int
        var bbox: [Double]
        var area: Double?
        var iscrowd: Int?
    }

    private struct Category: Decodable {
        var id: Int
        var name: String
    }
}
