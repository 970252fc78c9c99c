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

    /// `floatInput` of a resolved input (`inputPosition`; nil: the op has no such input, and
    /// `floatInput(slot)` throws what it throws for a missing slot).
    func floatInput(at input: InputPosition?, slot: String) throws -> Tensor {
        guard input != nil else { return try floatInput(slot) }
        let value = try self.input(at: input, slot: slot)
        guard value.dtype == .f32 else {
            throw GraphError("op '\(op.type)': input \(slot) is \(value.dtype), expected f32")
        }
        return value
    }
}
