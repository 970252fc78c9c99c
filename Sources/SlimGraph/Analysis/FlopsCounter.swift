/// Counts a program's multiply-adds and parameters per op, from the declared var shapes (a
/// batch of one: `-1` counts as 1), as Horizon HAT's `calops` and PaddleSlim's `flops` do.
///
/// Multiply-adds (what "FLOPs" means here, as in PaddleSlim 1.x):
///
///     conv2d, depthwise_conv2d   N * Cout * Hout * Wout * (Cin / groups) * kh * kw
///     conv2d_transpose           N * Cin * Hin * Win * (Cout / groups) * kh * kw
///     mul (fc)                   rows(Out) * K * cols(Out)   (Y is [K, cols])
///
/// Every other op counts 0 (element-wise work, batch norm, pooling). Parameters are the
/// elements of the persistable inputs an op reads (each counted once, at its first reader).
public struct FlopsCounter {
    /// One op's line of the table.
    public struct Layer: Sendable, Equatable {
        public var index: Int
        public var type: String
        /// The op's first output var.
        public var output: String
        public var outputShape: [Int]
        public var flops: Int
        public var params: Int
    }

    public let program: Program

    public init(program: Program) { self.program = program }

    /// Every op with multiply-adds or parameters, in program order.
    public func layers() -> [Layer] {
        var seen = Set<String>()
        var result: [Layer] = []
        for (i, op) in program.ops.enumerated() {
            var params = 0
            for name in op.inputNames where !seen.contains(name) {
                guard let v = program.variable(name), v.persistable else { continue }
                seen.insert(name)
                params += elements(v.shape)
            }
            let flops = multiplyAdds(op)
            guard flops > 0 || params > 0, let out = op.outputNames.first else { continue }
            result.append(Layer(index: i, type: op.type, output: out, outputShape: shape(out), flops: flops, params: params))
        }
        return result
    }

    /// The program's multiply-adds for a batch of one.
    public var totalFlops: Int { program.ops.reduce(0) { $0 + multiplyAdds($1) } }

    /// Elements of every persistable var the ops read.
    public var totalParams: Int { layers().reduce(0) { $0 + $1.params } }

    /// The multiply-adds of `op`, 0 for ops without any.
    public func multiplyAdds(_ op: OpDesc) -> Int {
        switch op.type {
        case "conv2d", "depthwise_conv2d":
            guard let out = op.output("Output"), let w = op.input("Filter") else { return 0 }
            let f = shape(w)
            guard f.count == 4 else { return 0 }
            return elements(shape(out)) * f[1] * f[2] * f[3]
        case "conv2d_transpose":
            guard let x = op.input("Input"), let w = op.input("Filter") else { return 0 }
            let f = shape(w)
            guard f.count == 4 else { return 0 }
            return elements(shape(x)) * f[1] * f[2] * f[3]
        case "mul":
            guard let y = op.input("Y"), let out = op.output("Out") else { return 0 }
            let ys = shape(y)
            guard ys.count >= 2 else { return 0 }
            return elements(shape(out)) * ys[ys.count - 2]
        default:
            return 0
        }
    }

    /// The declared shape of `name` with `-1` as 1.
    func shape(_ name: String) -> [Int] { (program.variable(name)?.shape ?? []).map { $0 < 0 ? 1 : $0 } }

    func elements(_ shape: [Int]) -> Int { shape.reduce(1) { $0 * max($1, 1) } }
}
