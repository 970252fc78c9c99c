import SlimGraph
import SlimTensor

extension Predictor {
    /// Largest distance of a probability row's sum from 1 that is still accepted (int8 models
    /// and float rounding sum to 1 within about 1e-6; logits are far off).
    static let probabilitySumTolerance: Float = 1e-2

    /// The image feed: `image`, else the program's only feed; it must be `[N, C, H, W]`.
    static func imageFeed(of program: Program) throws -> VarDesc {
        let name = program.feeds.contains("image") ? "image" : (program.feeds.count == 1 ? program.feeds[0] : nil)
        guard let name, let feed = program.variable(name) else {
            throw GraphError("the model has no image feed", hints: ["its feeds are \(program.feeds); expected 'image' or a single feed"])
        }
        guard feed.shape.count == 4 else {
            throw GraphError("the model's feed '\(name)' has shape \(feed.shape)", hints: ["an image classifier reads [N, C, H, W]"])
        }
        return feed
    }

    /// `imageShape` (or the feed's own `[C, H, W]`), checked against the feed's declared dims
    /// (`-1` matches anything) and for 1 or 3 channels.
    static func checkedShape(_ imageShape: [Int]?, feed: VarDesc) throws -> [Int] {
        let declared = Array(feed.shape.dropFirst())
        let shape = imageShape ?? declared
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw GraphError("image shape \(shape) is not a positive [C, H, W]",
                             hints: ["set the reader's image_shape, e.g. [1, 28, 28]"])
        }
        guard zip(declared, shape).allSatisfy({ $0 == -1 || $0 == $1 }) else {
            throw GraphError("the model's feed '\(feed.name)' is \(feed.shape), but the reader's image_shape is \(shape)",
                             hints: ["use the model YAML the model was trained with"])
        }
        guard shape[0] == 1 || shape[0] == 3 else {
            throw GraphError("the model reads \(shape[0])-channel images", hints: ["slim infer feeds gray (1) or RGB (3) images"])
        }
        return shape
    }

    /// The first fetch, which must be `[N, classes]` with a known number of classes.
    static func probabilityFetch(of program: Program) throws -> (name: String, classes: Int) {
        guard let name = program.fetches.first, let v = program.variable(name) else {
            throw GraphError("the model has no fetch", hints: ["a model directory's first fetch is the softmax probabilities"])
        }
        guard v.shape.count == 2, let classes = v.shape.last, classes > 0 else {
            throw GraphError("the model's first fetch '\(name)' has shape \(v.shape)",
                             hints: ["a classifier's first fetch is the softmax probabilities [N, classes]"])
        }
        return (name, classes)
    }

    /// The rows of `p[N, classes]`, each checked to be a probability distribution
    /// (finite, `0 <= p <= 1`, sum within `probabilitySumTolerance` of 1).
    static func checkedRows(_ p: Tensor, output: String) throws -> [[Float]] {
        let classes = p.shape[1]
        let values = p.asFloats
        return try (0..<p.shape[0]).map { i in
            let row = Array(values[(i * classes)..<((i + 1) * classes)])
            let sum = row.reduce(0, +)
            guard row.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }), abs(sum - 1) <= probabilitySumTolerance else {
                throw GraphError("fetch '\(output)' is not a probability distribution (row \(i) sums to \(sum))",
                                 hints: ["the model's first fetch must be the softmax output"])
            }
            return row
        }
    }
}
