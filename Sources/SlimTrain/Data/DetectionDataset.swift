import Foundation

/// A detection data set: the records of a VOC list or a COCO JSON (PaddleDetection's
/// `VOCDataSet`, `COCODataSet`), each sample the decoded image with its objects.
///
/// - Pixels: the image file decoded (PNG or JPEG) and converted to `channels` (3 = RGB,
///   1 = gray), CHW bytes at the image's own size, which `Sample.shape` carries; the reader's
///   transforms (a `Resize`) bring every image to one shape before batching.
/// - Annotations: `gt_box` corners in pixels of the decoded image, `gt_label` the record's class
///   ids (from 1 when the label map reserves 0 for the background), `is_difficult`; `im_id` the
///   record's image id. The classification `label` is 0.
/// - A decoded image whose size differs from the size its annotation declares is an error (the
///   boxes were clipped to the declared size).
///
/// `imageShape` is `[channels, H, W]` of the first record (declared, else decoded): the
/// nominal shape; samples of other sizes carry their own `shape`.
public struct DetectionDataset: Dataset, Sendable {
    public let records: [DetectionRecord]
    public let labels: DetectionLabelMap
    public let channels: Int
    public let imageShape: [Int]

    /// - Throws: `DataError.invalidConfiguration` for `channels` other than 1 or 3 or no record;
    ///   the first image's decoding error when its annotation declares no size.
    public init(records: [DetectionRecord], labels: DetectionLabelMap, channels: Int = 3) throws {
        guard channels == 1 || channels == 3 else {
            throw DataError.invalidConfiguration("a detection data set has 1 (gray) or 3 (RGB) channels, not \(channels)")
        }
        guard let first = records.first else { throw DataError.invalidConfiguration("the detection data set has no image") }
        self.records = records
        self.labels = labels
        self.channels = channels
        if let width = first.width, let height = first.height, width > 0, height > 0 {
            imageShape = [channels, height, width]
        } else {
            let image = try ImageCodec.decode(path: first.imagePath)
            imageShape = [channels, image.height, image.width]
        }
    }

    /// A Pascal VOC set (see `VOCAnnotationReader`): `datasetDir/annotation` lists
    /// `IMAGE XML` lines relative to its folder.
    public static func voc(datasetDir: String, annotation: String, useDefaultLabel: Bool,
                           withBackground: Bool, channels: Int = 3) throws -> DetectionDataset {
        let reader = VOCAnnotationReader(datasetDir: datasetDir, annotation: annotation,
                                         useDefaultLabel: useDefaultLabel, withBackground: withBackground)
        let (records, labels) = try reader.read()
        return try DetectionDataset(records: records, labels: labels, channels: channels)
    }

    /// A COCO set (see `COCOAnnotationReader`): `datasetDir/annotation` is the instances JSON,
    /// images are `datasetDir/imageDir/file_name`.
    public static func coco(datasetDir: String, annotation: String, imageDir: String,
                            withBackground: Bool, channels: Int = 3) throws -> DetectionDataset {
        let reader = COCOAnnotationReader(annotation: AnnotationText.join(datasetDir, annotation),
                                          imageDir: AnnotationText.join(datasetDir, imageDir), withBackground: withBackground)
        let (records, labels, _) = try reader.read()
        return try DetectionDataset(records: records, labels: labels, channels: channels)
    }

    public var count: Int { records.count }
    public var annotatesBoxes: Bool { true }

    /// Class names indexed by `gt_label` (`background` first when id 0 is the background).
    public var classNames: [String]? { (labels.withBackground ? ["background"] : []) + labels.names }

    /// - Throws: `DataError` when the image is missing or corrupt, or its size differs from the
    ///   declared one.
    public func sample(_ i: Int) throws -> Sample {
        let record = records[i]
        let image = try ImageCodec.decode(path: record.imagePath).converted(toChannels: channels)
        if let width = record.width, let height = record.height, width != image.width || height != image.height {
            throw DataError.mismatch(path: record.imagePath, reason:
                "decoded as \(image.width)x\(image.height) (width x height), but its annotation declares \(width)x\(height)")
        }
        let annotations = BoxAnnotations(boxes: record.boxes, labels: record.classIDs, difficult: record.difficult)
        return Sample(pixels: .bytes(image.chwBytes), label: 0, annotations: annotations, imageID: record.imageID,
                      shape: [channels, image.height, image.width])
    }

    public func sampleName(_ i: Int) -> String { records[i].imagePath }
}
