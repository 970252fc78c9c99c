import SlimGraph
import SlimTensor

/// Classifies decoded images with a model program (FP32, frozen float or INT8 alike) and
/// returns the top-k classes of each.
///
/// Per image: the pixels are converted to the model's channels (gray -> RGB replicates, RGB ->
/// gray is the BT.601 luma), bilinearly resized to `[H, W]` of `imageShape` and rounded to bytes
/// (as a data set image of that size would be), then run through `transforms` (`ToTensor` first,
/// as a reader builds them). A batch `[N, C, H, W]` is fed to the image feed and the first fetch
/// is read as probabilities `p[N, classes]`; the top-k are the `k` largest `p[i, j]`, ties broken
/// towards the smaller class id.
public struct Predictor {
    public let executor: Executor
    public let scope: Scope
    /// The feed the images go to (`image`, or the program's only feed).
    public let image: String
    /// The fetch read as probabilities (the program's first fetch).
    public let output: String
    public let transforms: [any Transform]
    /// `[C, H, W]` of one image after the transforms.
    public let imageShape: [Int]
    public let numClasses: Int
    /// Label of each class id; nil labels classes by their id.
    public var classNames: [String]?

    /// - Parameters:
    ///   - imageShape: `[C, H, W]` of one image (the reader's `image_shape`); nil takes the
    ///     image feed's declared shape.
    ///   - classNames: one label per class, or nil for the class ids.
    /// - Throws: `GraphError` when the program has no usable image feed or probability fetch,
    ///   or its feed disagrees with `imageShape`; `DataError.invalidConfiguration` when the
    ///   transforms do not keep `imageShape` or the class names do not match the classes.
    public init(program: Program, params: [String: Tensor], transforms: [any Transform],
                imageShape: [Int]? = nil, classNames: [String]? = nil, registry: OpRegistry = .shared) throws {
        let feed = try Self.imageFeed(of: program)
        let shape = try Self.checkedShape(imageShape, feed: feed)
        let produced = try transforms.outputShape(shape)
        guard produced == shape else {
            throw DataError.invalidConfiguration("the transforms turn images of \(shape) into \(produced); the model reads \(shape)")
        }
        let fetch = try Self.probabilityFetch(of: program)
        if let classNames, classNames.count != fetch.classes {
            throw DataError.invalidConfiguration("\(classNames.count) class names for a model of \(fetch.classes) classes")
        }
        executor = try Executor(program: program, registry: registry)
        executor.replaysInference = true
        scope = Scope(params)
        image = feed.name
        output = fetch.name
        self.transforms = transforms
        self.imageShape = shape
        numClasses = fetch.classes
        self.classNames = classNames
    }

    /// The label of class `id`: its name, else the id itself.
    public func label(_ id: Int) -> String {
        if let classNames, id < classNames.count { return classNames[id] }
        return String(id)
    }

    /// The model input of one decoded image, `[C, H, W]` floats (see the type's summary).
    public func prepare(_ decoded: DecodedImage) -> Image {
        Self.prepare(decoded, imageShape: imageShape, transforms: transforms)
    }

    /// `decoded` converted to `imageShape[0]` channels, resized to `[H, W]` of `imageShape` and
    /// run through `transforms`: the model input `[C, H, W]` (see the type's summary).
    static func prepare(_ decoded: DecodedImage, imageShape: [Int], transforms: [any Transform]) -> Image {
        let (c, h, w) = (imageShape[0], imageShape[1], imageShape[2])
        let pixels = decoded.converted(toChannels: c).resized(to: ImageSize(height: h, width: w))
        var input = Image(data: pixels.chwFloats, channels: c, height: h, width: w)
        var rng = SeededGenerator(seed: 0)
        transforms.apply(&input, rng: &rng)
        return input
    }

    /// The top `k` classes (at most `numClasses`) of each image, best first, in one batch.
    /// - Throws: `GraphError` when the model fails or its output is not probabilities.
    public func predict(_ images: [DecodedImage], topK k: Int) throws -> [[Prediction]] {
        precondition(k >= 1, "top-k needs k >= 1")
        guard !images.isEmpty else { return [] }
        var data: [Float] = []
        data.reserveCapacity(images.count * imageShape.reduce(1, *))
        for decoded in images { data += prepare(decoded).data }
        let batch = Tensor(shape: [images.count] + imageShape, floats: data)
        let fetched = try executor.run(feeds: [image: batch], scope: scope, mode: .eval, fetches: [output])
        guard let probabilities = fetched[output], probabilities.shape == [images.count, numClasses] else {
            throw GraphError("fetch '\(output)' has shape \(fetched[output]?.shape ?? []), expected [\(images.count), \(numClasses)]")
        }
        return try Self.checkedRows(probabilities, output: output).map { row in
            Self.topK(row, k: k).map { Prediction(classID: $0, label: label($0), probability: row[$0]) }
        }
    }

    /// Indices of the `k` largest values of `row`, largest first, ties to the smaller index.
    public static func topK(_ row: [Float], k: Int) -> [Int] {
        Array(row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(k))
    }
}
