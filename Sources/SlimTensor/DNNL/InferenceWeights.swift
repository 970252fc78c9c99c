/// The weights (and bias) of one inference-only convolution layer, kept across runs in the layout
/// the layer's primitive chose for them, so the layer reorders its weights once instead of on
/// every call. The caller may hold derived weights (e.g. a batch norm folded in).
///
/// The held values stay valid while the tensors they were made from (`sources`) are the same
/// storages: the holder keeps those storages alive, and a tensor's storage is never written while
/// another reference holds it (copy-on-write), so a changed weight (an optimizer step, a loaded
/// checkpoint) always arrives in a new storage and `holds` answers false.
public final class InferenceWeights: @unchecked Sendable {
    private var sources: [TensorStorage] = []
    /// The filter, plain until the first run packs it into the primitive's layout.
    var filter: Tensor?
    var bias: Tensor?
    /// A pointwise filter as the [C, O] matrix its matmul reads, in the matmul's layout
    /// (`Kernels.pointwiseMatmul`); nil until such a call packs it.
    var matrix: Tensor?
    /// The primitive of the last call and what it was made for (input shape, geometry,
    /// activation), so a repeated call skips building the primitive cache's key.
    var lastCall: ConvInferenceCall?

    public init() {}

    /// Another holder of the same weights (the same storages, packing shared until a primitive
    /// wants another layout) with no call of its own: a lane's (`Executor`'s inference lanes).
    public func laneCopy() -> InferenceWeights {
        let copy = InferenceWeights()
        (copy.sources, copy.filter, copy.bias, copy.matrix) = (sources, filter, bias, matrix)
        return copy
    }

    /// Whether the held weights were made from exactly `tensors` (same storages, same order).
    public func holds(madeFrom tensors: [Tensor]) -> Bool {
        guard filter != nil, tensors.count == sources.count else { return false }
        for i in tensors.indices where !isSource(i, tensors[i]) { return false }
        return true
    }

    /// Whether weights are held, made from `count` tensors (check each with `isSource`): the
    /// per-tensor form of `holds(madeFrom:)`, for callers that do not gather the tensors.
    public func holds(sourceCount count: Int) -> Bool { filter != nil && sources.count == count }

    /// Whether the `index`-th tensor the held weights were made from is `t`'s storage.
    public func isSource(_ index: Int, _ t: Tensor) -> Bool {
        guard index < sources.count else { return false }
        return t.layout == nil ? t.buffer === sources[index] : t.storage === sources[index]
    }

    /// Holds `filter` and `bias`, made from `tensors`, replacing what was held.
    public func hold(filter: Tensor, bias: Tensor?, madeFrom tensors: [Tensor]) {
        lastCall?.unbind()
        sources = tensors.map(\.storage)
        self.filter = filter
        self.bias = bias
        matrix = nil
    }

    /// Drops what is held.
    public func clear() {
        lastCall?.unbind()
        sources = []
        filter = nil
        bias = nil
        matrix = nil
    }
}
