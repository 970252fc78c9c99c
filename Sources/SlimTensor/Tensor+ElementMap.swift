/// Element-wise maps over the bytes as they lie in memory, so a tensor held in a oneDNN layout
/// (an int8 convolution's NHWC output) stays in it: no reorder to plain and back around a Swift loop.
extension Tensor {
    /// A new tensor of `dtype` and this shape whose element at every position is `transform`'s
    /// output for this tensor's element at that position. `transform` gets the source and
    /// destination elements in memory order (the same order for both). The result is held in this
    /// tensor's layout when that layout has no padding and no extra data (NHWC, `nChw8c` with whole
    /// blocks), else plain row-major. Inside a `PrimitiveRecording` the map is recorded too (a
    /// replay runs `transform` again on the same bytes), so `transform` must compute from its two
    /// buffers and values fixed for the run.
    public func mapElements<S, T>(_: S.Type, to dtype: DType, as _: T.Type,
                                  _ transform: @escaping (UnsafeBufferPointer<S>, UnsafeMutableBufferPointer<T>) -> Void) -> Tensor {
        precondition(MemoryLayout<S>.stride == self.dtype.byteSize, "source element type does not match \(self.dtype)")
        precondition(MemoryLayout<T>.stride == dtype.byteSize, "destination element type does not match \(dtype)")
        let target = layout?.retyped(dtype)
        let source = target == nil ? plain() : self
        let out = Tensor(uninitializedShape: shape, dtype: dtype, layout: target, zeroPadding: false)
        let from = UnsafeBufferPointer(start: source.buffer.pointer.assumingMemoryBound(to: S.self), count: count)
        let to = UnsafeMutableBufferPointer(start: out.buffer.pointer.assumingMemoryBound(to: T.self), count: count)
        PrimitiveRecording.host(reading: [source.buffer], writing: [out.buffer]) { transform(from, to) }
        return out
    }
}

extension Tensor {
    /// Read-only access to the f32 elements in memory order: in this tensor's oneDNN layout when
    /// that layout holds exactly the elements (no padding, no extra data), else plain row-major.
    /// For reads whose result does not depend on the order (a maximum, a sum of exact values).
    public func withUnsafeFloatsInMemoryOrder<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .f32, "tensor is \(dtype), not f32")
        let source = layout?.retyped(.f32) == nil ? plain() : self
        return try withExtendedLifetime(source) {
            try body(UnsafeBufferPointer(start: source.buffer.pointer.assumingMemoryBound(to: Float.self), count: count))
        }
    }

    /// A new f32 tensor of this shape whose element at every position is `transform`'s output for
    /// this tensor's and `other`'s elements at that position (`other` has the same shape). Both
    /// are read, and the result written, in this tensor's layout when `other` is held in the same
    /// one and it has no padding (`mapElements`), else all three in plain row-major.
    public func zipElements(_ other: Tensor, _ transform: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>,
                                                            UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        precondition(dtype == .f32 && other.dtype == .f32, "zipElements maps f32 tensors, got \(dtype) and \(other.dtype)")
        precondition(shape == other.shape, "zipElements of \(shape) and \(other.shape)")
        let shared = layout.flatMap { mine in other.layout.flatMap { $0 === mine || $0.key == mine.key ? mine.retyped(.f32) : nil } }
        let (a, b) = shared == nil ? (plain(), other.plain()) : (self, other)
        let out = Tensor(uninitializedShape: shape, dtype: .f32, layout: shared, zeroPadding: false)
        transform(UnsafeBufferPointer(start: a.buffer.pointer.assumingMemoryBound(to: Float.self), count: count),
                  UnsafeBufferPointer(start: b.buffer.pointer.assumingMemoryBound(to: Float.self), count: count),
                  UnsafeMutableBufferPointer(start: out.buffer.pointer.assumingMemoryBound(to: Float.self), count: count))
        return withExtendedLifetime((a, b)) { out }
    }
}

extension Tensor {
    /// Writes `transform`'s result over this tensor's own f32 elements, when nothing else holds
    /// its bytes and `other` (same shape) can be read in the same order: both plain row-major
    /// (`other` made plain if need be, this tensor being plain), or both in the same oneDNN layout
    /// without padding. `transform` gets this tensor's elements to update and `other`'s, in memory
    /// order. Returns false, changing nothing, when the bytes are shared or the layouts do not
    /// allow it (the caller then computes a new tensor, e.g. with `zipElements`). The result is
    /// held as `zipElements` would hold it.
    public mutating func updateElementsInPlace(with other: Tensor,
                                               _ transform: (UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void) -> Bool {
        precondition(dtype == .f32 && other.dtype == .f32, "updateElementsInPlace maps f32 tensors, got \(dtype) and \(other.dtype)")
        precondition(shape == other.shape, "updateElementsInPlace of \(shape) and \(other.shape)")
        let shared = layout.flatMap { mine in other.layout.flatMap { $0 === mine || $0.key == mine.key ? mine.retyped(.f32) : nil } }
        guard shared != nil || layout == nil, hasUniqueBuffer() else { return false }
        let source = shared == nil ? other.plain() : other
        buffer.discardPlainCopy()
        transform(UnsafeMutableBufferPointer(start: buffer.pointer.assumingMemoryBound(to: Float.self), count: count),
                  UnsafeBufferPointer(start: source.buffer.pointer.assumingMemoryBound(to: Float.self), count: count))
        withExtendedLifetime(source) {}
        return true
    }
}

extension Tensor {
    /// This 4-D tensor as held when that is dense channels-last (NHWC, the layout of an int8
    /// convolution's f32 output), else in plain row-major (NCHW): for element-wise maps that need
    /// each element's channel, which `mapElements` then visits in that order.
    public func channelsLastOrPlain() -> (tensor: Tensor, channelsLast: Bool) {
        isChannelsLast ? (self, true) : (plain(), false)
    }

    /// Whether this 4-D tensor is held dense channels-last (NHWC, `Kernels.channelsLast`).
    public var isChannelsLast: Bool {
        guard shape.count == 4, let layout else { return false }
        return layout.matches(Kernels.channelsLast(shape, dtype))
    }
}
