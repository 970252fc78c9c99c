import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// conv 4@3x3 (pad 1, bias, ReLU) -> max pool 2 -> fc 5 (bias) -> softmax, on [2, 8, 8] images.
struct TinyConvNet: ZooModel {
    var numClasses = 5
    func logits(_ b: inout ProgramBuilder, image: String) -> String {
        var x = b.conv2d(image, filters: 4, kernel: 3, padding: 1, bias: true, act: .relu)
        x = b.pool2d(x, type: "max", kernel: 2, stride: 2)
        return b.fc(x, size: numClasses)
    }
}

/// Seeded classification data: each class is a fixed random template; an image is its class's
/// template plus noise (so a few SGD steps give confident predictions).
struct TemplateData {
    var shape: [Int]
    var classes: Int
    private var templates: [[Float]]

    init(shape: [Int], classes: Int, seed: UInt64) {
        self.shape = shape
        self.classes = classes
        var g = SeededGenerator(seed: seed)
        let size = shape.reduce(1, *)
        templates = (0..<classes).map { _ in (0..<size).map { _ in Float.random(in: -1...1, using: &g) } }
    }

    /// A batch of `n` images [n] + shape and labels s32 [n, 1].
    func batch(_ n: Int, seed: UInt64) -> (images: Tensor, labels: Tensor) {
        var g = SeededGenerator(seed: seed)
        var pixels: [Float] = [], labels: [Int] = []
        for _ in 0..<n {
            let c = Int.random(in: 0..<classes, using: &g)
            labels.append(c)
            pixels += templates[c].map { $0 + Float.random(in: -0.6...0.6, using: &g) }
        }
        return (Tensor(shape: [n] + shape, floats: pixels), Tensor(shape: [n, 1], dtype: .s32, integers: labels))
    }
}

/// A built model taken through QAT (a few SGD steps), freeze, INT8 conversion and lowering.
struct Int8Pipeline {
    var frozen: Program
    var frozenParams: [String: Tensor]
    var int8: Program
    var int8Params: [String: Tensor]
    var lowered: Program
    var loweredParams: [String: Tensor]
    var image: String
    var output: String

    init(_ model: BuiltModel, data: TemplateData, weights: WeightQuantizeType = .absMax,
         activations: ActivationQuantizeType = .movingAverageAbsMax, steps: Int = 10, batch: Int = 16,
         integerResiduals: Bool = false, edit: (inout [String: Tensor]) -> Void = { _ in }) throws {
        Int8Ops.register()
        var program = model.program
        var params = model.params
        try QuantizationTransformPass(QuantizationScheme(weightQuantizeType: weights, activationQuantizeType: activations)).apply(to: &program, params: &params)
        let scope = Scope(params)
        let executor = try Executor(program: program)
        for step in 0..<steps {
            let (x, y) = data.batch(batch, seed: 100 + UInt64(step))
            try executor.run(feeds: [model.image: x, model.label: y], scope: scope, mode: .train, fetches: [model.head.loss])
            for (name, g) in try executor.backward(loss: model.head.loss) {
                scope[name] = Tensor(shape: g.shape, floats: zip(try XCTUnwrap(scope[name], name).floats, g.floats).map { $0 - 0.05 * $1 })
            }
        }
        var inference = try program.pruned(feeds: [model.image], fetches: [model.head.output])
        var p = scope.tensors
        edit(&p)
        try QuantizationFreezePass(QuantizationScheme(weightQuantizeType: weights)).apply(to: &inference, params: &p)
        (frozen, frozenParams) = (inference, p)
        try ConvertToInt8Pass(integerResiduals: integerResiduals).apply(to: &inference, params: &p)
        (int8, int8Params) = (inference, p)
        try Int8LoweringPass().apply(to: &inference, params: &p)
        (lowered, loweredParams) = (inference, p)
        (image, output) = (model.image, model.head.output)
    }

    /// Runs the frozen float program and the lowered program on `images`, fetching `fetches`.
    func run(_ images: Tensor, fetches: [String]) throws -> (frozen: [String: Tensor], int8: [String: Tensor]) {
        let f = try Executor(program: frozen).run(feeds: [image: images], scope: Scope(frozenParams), mode: .eval, fetches: fetches)
        let q = try Executor(program: lowered).run(feeds: [image: images], scope: Scope(loweredParams), mode: .eval, fetches: fetches)
        return (f, q)
    }

    /// The op types of the lowered program, in order.
    var loweredTypes: [String] { lowered.ops.map(\.type) }
}

/// Top-1 agreement and the largest absolute difference of two [N, C] score tensors.
func agreement(_ a: Tensor, _ b: Tensor) -> (agree: Double, maxDiff: Float) {
    let (n, c) = (a.shape[0], a.shape[1])
    let x = a.floats, y = b.floats
    var same = 0
    for i in 0..<n {
        let ra = x[i * c ..< (i + 1) * c], rb = y[i * c ..< (i + 1) * c]
        if ra.indices.max(by: { ra[$0] < ra[$1] }) == rb.indices.max(by: { rb[$0] < rb[$1] }) { same += 1 }
    }
    return (Double(same) / Double(n), zip(x, y).map { abs($0 - $1) }.max() ?? 0)
}

/// conv 4@3x3 (ReLU6) -> conv 3@3x3 stride 2 (bias, no activation) -> fc 4: requantization into
/// u8 with the ReLU6 bound, and into s8 (signed) straight from a conv into an fc.
struct TwoConvNet: ZooModel {
    var numClasses = 4
    func logits(_ b: inout ProgramBuilder, image: String) -> String {
        var x = b.conv2d(image, filters: 4, kernel: 3, padding: 1, act: .relu6)
        x = b.conv2d(x, filters: 3, kernel: 3, stride: 2, padding: 1, bias: true)
        return b.fc(x, size: numClasses)
    }
}

/// conv 6@3x3 (bias, no activation: signed) -> depthwise 3x3 (bias, ReLU) -> fc 5: a signed
/// activation that only a depthwise convolution reads.
struct SignedDepthwiseNet: ZooModel {
    var numClasses = 5
    func logits(_ b: inout ProgramBuilder, image: String) -> String {
        var x = b.conv2d(image, filters: 6, kernel: 3, padding: 1, bias: true)
        x = b.conv2d(x, filters: 6, kernel: 3, padding: 1, groups: 6, bias: true, act: .relu)
        return b.fc(x, size: numClasses)
    }
}

/// conv-bn-relu -> (conv-bn) + (1x1 conv-bn shortcut) -> add + ReLU -> fc: batch norm folding and
/// a residual add that both convs could fuse.
struct TinyResidualNet: ZooModel {
    var numClasses = 5
    func logits(_ b: inout ProgramBuilder, image: String) -> String {
        let x = b.batchNorm(b.conv2d(image, filters: 4, kernel: 3, padding: 1), act: .relu)
        let y = b.batchNorm(b.conv2d(x, filters: 6, kernel: 3, stride: 2, padding: 1))
        let shortcut = b.batchNorm(b.conv2d(x, filters: 6, kernel: 1, stride: 2))
        return b.fc(b.add(y, shortcut, act: .relu), size: numClasses)
    }
}

/// conv 4@3x3 (ReLU) -> x; two convs 4@3x3 on x, the second summed with x itself (ReLU) -> fc: a
/// ResNet basic block with an identity shortcut, whose float x is also quantized for the convs.
struct IdentityResidualNet: ZooModel {
    var numClasses = 5
    func logits(_ b: inout ProgramBuilder, image: String) -> String {
        let x = b.batchNorm(b.conv2d(image, filters: 4, kernel: 3, padding: 1), act: .relu)
        let h = b.batchNorm(b.conv2d(x, filters: 4, kernel: 3, padding: 1), act: .relu)
        let y = b.batchNorm(b.conv2d(h, filters: 4, kernel: 3, padding: 1))
        return b.fc(b.add(y, x, act: .relu), size: numClasses)
    }
}

/// conv 8@3x3 (ReLU) -> a squeeze-and-excitation gate (global average pool, 1x1 conv 8, ReLU6)
/// multiplying it -> conv 4@3x3 stride 2 -> fc: the gate's multiply folds into the quantizer of
/// the second conv's input.
struct TinySENet: ZooModel {
    var numClasses = 5
    func logits(_ b: inout ProgramBuilder, image: String) -> String {
        let x = b.conv2d(image, filters: 8, kernel: 3, padding: 1, bias: true, act: .relu)
        let squeezed = b.pool2d(x, type: "avg", global: true)
        let gate = b.conv2d(squeezed, filters: 8, kernel: 1, bias: true, act: .relu6)
        let gated = b.multiply(x, gate)
        let y = b.conv2d(gated, filters: 4, kernel: 3, stride: 2, padding: 1, bias: true)
        return b.fc(y, size: numClasses)
    }
}
