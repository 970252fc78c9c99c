import SlimTensor

/// A mini-batch: `images` is `[N, C, H, W]` f32, `labels` is `[N, 1]` s32.
public struct Batch: Equatable, Sendable {
    public var images: Tensor
    public var labels: Tensor
    /// The data set indices of the samples, in batch order.
    public var indices: [Int]
    /// Where each sample comes from (`Dataset.sampleName`), for error messages; nil: "sample <index>".
    public var sampleNames: [String]?

    public init(images: Tensor, labels: Tensor, indices: [Int], sampleNames: [String]? = nil) {
        precondition(images.shape.first == indices.count && labels.shape == [indices.count, 1], "batch shape mismatch")
        precondition(sampleNames == nil || sampleNames?.count == indices.count, "one name per sample")
        self.images = images
        self.labels = labels
        self.indices = indices
        self.sampleNames = sampleNames
    }

    /// Number of samples `N`.
    public var count: Int { indices.count }

    /// Where the sample in `row` comes from.
    public func sampleName(row: Int) -> String { sampleNames?[row] ?? "sample \(indices[row])" }

    /// Checks every label against a model of `classes` classes: the one check between a
    /// batch's labels and a model (training loss, evaluation, top-k), which assume `0..<classes`.
    /// - Throws: `DataError.labelOutOfRange` naming the first sample whose label is outside.
    public func checkLabels(classes: Int) throws {
        let bad = labels.withUnsafeElements(as: Int32.self) { y in (0..<count).first { y[$0] < 0 || Int(y[$0]) >= classes } }
        guard let row = bad else { return }
        let label = labels.withUnsafeElements(as: Int32.self) { Int($0[row]) }
        throw DataError.labelOutOfRange(sample: sampleName(row: row), label: label, classes: classes)
    }
}
