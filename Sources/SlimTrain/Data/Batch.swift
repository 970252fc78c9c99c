import SlimTensor

/// A mini-batch: named tensors, one row per sample, plus per-sample metadata.
///
/// The names are Paddle's reader fields, which are also the zoo models' feed names: `image`
/// `[N, C, H, W]` f32 and `label` `[N, 1]` s32 for classification; a detection batch carries
/// `image`, `im_size` and the ground truth `gt_box`, `gt_label`, `gt_score`, `is_difficult`
/// padded to `num_max_boxes` rows (`boxCounts` says how many are objects). A batch
/// holds a handful of entries, so looking one up costs nothing next to building it.
public struct Batch: Equatable, Sendable {
    /// The image field: `[N, C, H, W]` f32.
    public static let image = "image"
    /// The class label field: `[N, 1]` s32.
    public static let label = "label"

    /// The batch's tensors by name; each has the samples along its first dimension.
    public var tensors: [String: Tensor]
    /// The data set indices of the samples, in batch order.
    public var indices: [Int]
    /// Where each sample comes from (`Dataset.sampleName`), for error messages; nil: "sample <index>".
    public var sampleNames: [String]?
    /// Each sample's image id (COCO's `im_id`), when the data set has ids.
    public var imageIDs: [Int]?
    /// Each sample's image size before the transforms (to map predicted boxes back), when known.
    public var originalSizes: [ImageSize]?
    /// Each sample's number of objects in the padded `gt_box` rows (detection batches).
    public var boxCounts: [Int]?

    /// A batch of named tensors.
    /// - Precondition: every tensor and every metadata list has one row per index.
    public init(tensors: [String: Tensor], indices: [Int], sampleNames: [String]? = nil,
                imageIDs: [Int]? = nil, originalSizes: [ImageSize]? = nil) {
        precondition(tensors.values.allSatisfy { $0.shape.first == indices.count }, "batch shape mismatch")
        precondition(sampleNames == nil || sampleNames?.count == indices.count, "one name per sample")
        precondition(imageIDs == nil || imageIDs?.count == indices.count, "one image id per sample")
        precondition(originalSizes == nil || originalSizes?.count == indices.count, "one original size per sample")
        self.tensors = tensors
        self.indices = indices
        self.sampleNames = sampleNames
        self.imageIDs = imageIDs
        self.originalSizes = originalSizes
    }

    /// A classification batch: `images` `[N, C, H, W]` f32 and `labels` `[N, 1]` s32.
    public init(images: Tensor, labels: Tensor, indices: [Int], sampleNames: [String]? = nil) {
        precondition(images.shape.first == indices.count && labels.shape == [indices.count, 1], "batch shape mismatch")
        self.init(tensors: [Self.image: images, Self.label: labels], indices: indices, sampleNames: sampleNames)
    }

    /// The tensor named `name`, if the batch has one.
    public subscript(name: String) -> Tensor? { tensors[name] }

    /// The `image` tensor, `[N, C, H, W]` f32.
    /// - Precondition: the batch has images (every data set's batches do).
    public var images: Tensor {
        guard let images = tensors[Self.image] else { preconditionFailure("the batch has no '\(Self.image)'") }
        return images
    }

    /// The `label` tensor of a classification batch, `[N, 1]` s32.
    /// - Precondition: the batch has class labels.
    public var labels: Tensor {
        guard let labels = tensors[Self.label] else { preconditionFailure("the batch has no '\(Self.label)'") }
        return labels
    }

    /// Number of samples `N`.
    public var count: Int { indices.count }

    /// Where the sample in `row` comes from.
    public func sampleName(row: Int) -> String { sampleNames?[row] ?? "sample \(indices[row])" }

    /// The executor's feeds for the feed vars `names`: each one's tensor of the same name, and
    /// the batch's images for `pictures` (a model's picture feed whatever its name: an imported
    /// model's is often `x` or `input.1`).
    /// - Throws: `DataError.mismatch` naming the first feed the batch does not provide.
    public func feeds(_ names: [String], pictures: String? = nil) throws -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        feeds.reserveCapacity(names.count)
        for name in names {
            guard let tensor = tensors[name] ?? (name == pictures ? tensors[Self.image] : nil) else {
                throw DataError.mismatch(path: sampleName(row: 0),
                                         reason: "the model feeds '\(name)', which the data does not provide (it gives \(tensors.keys.sorted().joined(separator: ", ")))")
            }
            feeds[name] = tensor
        }
        return feeds
    }

    /// The feeds of a model's inference feeds `names`: the first (its image input, whatever its
    /// name) takes the batch's images, the others (e.g. `im_size`) the tensors of the same name.
    /// - Precondition: `names` is not empty.
    /// - Throws: `DataError.mismatch` naming the first feed the batch does not provide.
    public func inferenceFeeds(_ names: [String]) throws -> [String: Tensor] {
        precondition(!names.isEmpty, "a model has a feed")
        guard names.count > 1 else { return [names[0]: images] }
        var feeds = try feeds(names, pictures: names[0])   // the first is the images, the others by name only
        feeds[names[0]] = images
        return feeds
    }

    /// Checks every label against a model of `classes` classes: the one check between a
    /// batch's labels and a model (training loss, evaluation, top-k), which assume `0..<classes`.
    /// - Throws: `DataError.labelOutOfRange` naming the first sample whose label is outside.
    public func checkLabels(classes: Int) throws {
        guard tensors[BoxBatch.box] == nil else {
            throw DataError.mismatch(path: sampleName(row: 0), reason: "a classifier needs one class label per image, and this data "
                                     + "set has boxes (VOCDataSet, COCODataSet): use a detection architecture, or an image classification data set")
        }
        let labels = labels
        let bad = labels.withUnsafeElements(as: Int32.self) { y in (0..<count).first { y[$0] < 0 || Int(y[$0]) >= classes } }
        guard let row = bad else { return }
        let label = labels.withUnsafeElements(as: Int32.self) { Int($0[row]) }
        throw DataError.labelOutOfRange(sample: sampleName(row: row), label: label, classes: classes)
    }
}
