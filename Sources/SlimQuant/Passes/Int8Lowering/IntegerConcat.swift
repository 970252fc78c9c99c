import SlimGraph

/// A `concat` the INT8 engine runs on integers (YOLOv3's neck: the upsampled head branch and a
/// backbone route, read by the next quantized convolution): its output's only reader is a static
/// quantizer `q`, so every input can be given in `q`'s integers and the concatenation commutes
/// with the quantization (`round(concat(x) * f) == concat(round(x * f))`).
///
/// Inputs that a fused chain (no residual, static scale) writes, possibly through nearest
/// interpolations that only copy values, are requantized into `q` by the chain itself; every other
/// input is quantized into `q` by an `int8_quantize` inserted before the concat. Everything on the
/// way is s8 (a ReLU's `[0, bin]` fits), so the inputs share one type.
struct IntegerConcat {
    var quantizer: ActivationQuantizer
    /// The concat's inputs that no chain requantizes (quantized before the concat).
    var floatInputs: [String]

    /// The integer concats of `graph`: each concat whose output's sole reader is a static quantizer
    /// that chains read and no fetch needs; `chainEnds` are the ends of the chains that can requantize.
    static func all(in graph: Int8Graph, quantizers: [Int: ActivationQuantizer], chainInputs: Set<String>,
                    chainEnds: Set<String>) -> [Int: IntegerConcat] {
        var found: [Int: IntegerConcat] = [:]
        for (i, op) in graph.ops.enumerated() where op.type == "concat" {
            guard let out = op.output("Out"), let r = graph.soleReader(of: out), let q = quantizers[r], q.input == out, q.zeroPoint == nil,
                  Int8Lowering.canRequantize(into: q, graph: graph, chainInputs: chainInputs),
                  let xs = op.inputs["X"], Set(xs).count == xs.count else { continue }
            let floats = xs.filter { !chainEnds.contains(source(of: $0, graph: graph)) || graph.soleReader(of: $0) != i }
            found[i] = IntegerConcat(quantizer: q, floatInputs: floats)
        }
        return found
    }

    /// The var a concat input is copied from: back through nearest interpolations that are each
    /// their input's only reader.
    static func source(of v: String, graph: Int8Graph) -> String {
        var v = v
        while let p = graph.producer[v], graph.ops[p].type == "nearest_interp", let x = graph.ops[p].input("X"),
              graph.soleReader(of: x) == p {
            v = x
        }
        return v
    }

    /// The name of the integer copy of float input `v`.
    static func quantizedName(_ v: String) -> String { v + ".int8" }
}
