/// Element-wise maps over the bytes as they lie in memory, so a tensor held in a oneDNN layout
/// (an int8 convolution's NHWC output) stays in it: no reorder to plain and back around a Swift loop.
extension Tensor {
    /// A new tensor of `dtype` and this shape whose element at every position is `transform`'s
    /// output for this tensor's element at that position. `transform` gets the source and
    /// destination elements in memory order (the same order for both). The result is held in this
    /// tensor's layout when that layout has no padding and no extra data (NHWC, `nChw8c` with whole
    /// blocks), else plain row-major.
    public func mapElements<S, T>(_: S.Type, to dtype: DType, as _: T.Type,
                                  _ transform: (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<T>) -> Void) -> Tensor {
        precondition(MemoryLayout<S>.stride == self.dtype.byteSize, "source element type does not match \(self.dtype)")
        precondition(MemoryLayout<T>.stride == dtype.byteSize, "destination element type does not match \(dtype)")
        let target = layout?.retyped(dtype)
        let source = target == nil ? plain() : self
        let out = Tensor(uninitializedShape: shape, dtype: dtype, layout: target, zeroPadding: false)
        transform(UnsafeBufferPointer(start: source.buffer.pointer.assumingMemoryBound(to: S.self), count: count),
                  UnsafeMutableBufferPointer(start: out.buffer.pointer.assumingMemoryBound(to: T.self), count: count))
        return withExtendedLifetime(source) { out }
    }
}
