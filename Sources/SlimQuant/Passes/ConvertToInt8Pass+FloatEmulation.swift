import SlimGraph

extension ConvertToInt8Pass {
    /// An execution-only copy of an INT8 program that the float kernels can run: before the first
    /// reader of each persistable integer var `w` (e.g. `conv2d_0.w_0.int8`) it inserts
    /// `int8_to_float(X: w) -> <w>.float` and makes every reader use `<w>.float`. The values are
    /// the same integers, so it computes exactly what the frozen float program computes.
    /// Not for saving: the saved INT8 model is the program `apply` made.
    public static func floatEmulationProgram(_ program: Program) -> Program {
        var result = program
        var cast: [String: String] = [:]
        var ops: [OpDesc] = []
        for var op in program.ops {
            for name in op.inputNames where cast[name] == nil {
                guard let v = program.variable(name), v.persistable, v.dtype != .f32 else { continue }
                let floatName = QuantNames.float(name)
                result.declare(VarDesc(name: floatName, shape: v.shape))
                ops.append(OpDesc(type: Int8ToFloatOp.type, inputs: ["X": [name]], outputs: ["Out": [floatName]]))
                cast[name] = floatName
            }
            op.renameInputs(cast)
            ops.append(op)
        }
        result.ops = ops
        return result
    }
}
