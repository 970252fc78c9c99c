import SlimTensor

/// Writes models as code: each layer appends Paddle-named vars and ops (docs/OPS.md) and
/// initialises its parameters from one seeded generator, so the same seed gives the same model.
///
/// Names follow Paddle's unique_name: a counter per layer kind (`conv2d_0`, `fc_1`) and a
/// counter of temporaries per layer (`fc_1.tmp_0` = mul, `fc_1.tmp_1` = +bias, `fc_1.tmp_2` = act).
public struct ProgramBuilder {
    public private(set) var program = Program()
    /// Initial values of every persistable var.
    public private(set) var params: [String: Tensor] = [:]
    var generator: SeededGenerator
    private var layerCounters: [String: Int] = [:]

    public init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    /// The declared shape of `name` (which must exist).
    public func shape(_ name: String) -> [Int] {
        guard let v = program.variable(name) else { preconditionFailure("builder: unknown var \(name)") }
        return v.shape
    }

    /// Declares a feed var.
    @discardableResult
    public mutating func feed(_ name: String, shape: [Int], dtype: DType = .f32) -> String {
        program.declare(VarDesc(name: name, shape: shape, dtype: dtype))
        program.feeds.append(name)
        return name
    }

    /// Marks vars as the program's fetches.
    public mutating func fetch(_ names: [String]) { program.fetches = names }

    // MARK: plumbing shared by the layers

    /// A fresh layer prefix: `conv2d_0`, `conv2d_1`, ...
    mutating func layer(_ kind: String) -> Layer {
        let n = layerCounters[kind, default: 0]
        layerCounters[kind] = n + 1
        return Layer(prefix: "\(kind)_\(n)")
    }

    /// Declares a temporary of `layer` with `shape`.
    mutating func temporary(_ layer: inout Layer, shape: [Int], dtype: DType = .f32) -> String {
        let name = "\(layer.prefix).tmp_\(layer.temporaries)"
        layer.temporaries += 1
        program.declare(VarDesc(name: name, shape: shape, dtype: dtype))
        return name
    }

    /// Declares and initialises a persistable parameter `<prefix>.<suffix>`.
    mutating func parameter(_ layer: Layer, _ suffix: String, shape: [Int], trainable: Bool = true, _ initializer: Initializer) -> String {
        parameter(named: "\(layer.prefix).\(suffix)", shape: shape, trainable: trainable, initializer)
    }

    /// Declares and initialises a persistable parameter with an explicit (Paddle `ParamAttr`) name.
    mutating func parameter(named name: String, shape: [Int], trainable: Bool = true, _ initializer: Initializer) -> String {
        program.declare(VarDesc(name: name, shape: shape, persistable: true, trainable: trainable))
        params[name] = initial(shape: shape, initializer)
        return name
    }

    mutating func append(_ type: String, _ inputs: [String: [String]], _ outputs: [String: [String]], _ attrs: [String: Attribute] = [:]) {
        program.ops.append(OpDesc(type: type, inputs: inputs, outputs: outputs, attrs: attrs))
    }

    private mutating func initial(shape: [Int], _ initializer: Initializer) -> Tensor {
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        switch initializer {
        case let .xavierUniform(fanIn, fanOut):
            let limit = (6 / Float(fanIn + fanOut)).squareRoot()
            for i in 0..<count { values[i] = (generator.nextUnitFloat() * 2 - 1) * limit }
        case let .msraNormal(fanIn):
            let std = (2 / Float(fanIn)).squareRoot()
            for i in 0..<count { values[i] = generator.nextNormal() * std }
        case let .constant(v):
            values = [Float](repeating: v, count: count)
        case let .values(v):
            precondition(v.count == count, "initializer of \(v.count) values for shape \(shape)")
            values = v
        }
        return Tensor(shape: shape, floats: values)
    }
}

/// A layer's name prefix and its temporaries counter.
struct Layer {
    let prefix: String
    var temporaries = 0
}
