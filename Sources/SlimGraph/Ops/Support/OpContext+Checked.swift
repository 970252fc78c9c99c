import SlimTensor

extension OpContext {
    /// The value of input `slot`[`index`], which must be f32 (the kernels read it as floats).
    /// - Throws: `GraphError` naming the op, slot and dtype otherwise.
    func floatInput(_ slot: String, _ index: Int = 0) throws -> Tensor {
        let value = try input(slot, index)
        guard value.dtype == .f32 else {
            throw GraphError("op '\(op.type)': input \(slot) is \(value.dtype), expected f32")
        }
        return value
    }
}
