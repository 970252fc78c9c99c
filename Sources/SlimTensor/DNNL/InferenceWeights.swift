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
    /// The primitive of the last call and what it was made for (input shape, geometry,
    /// activation), so a repeated call skips building the primitive cache's key.
    var lastPrimitive: (key: InferenceCallKey, primitive: PreparedPrimitive)?

    public init() {}

    /// Whether the held weights were made from exactly `tensors` (same storages, same order).
    public func holds(madeFrom tensors: [Tensor]) -> Bool {
        guard filter != nil, tensors.count == sources.count else { return false }
        return zip(tensors, sources).allSatisfy { $0.storage === $1 }
    }

    /// Holds `filter` and `bias`, made from `tensors`, replacing what was held.
    public func hold(filter: Tensor, bias: Tensor?, madeFrom tensors: [Tensor]) {
        sources = tensors.map(\.storage)
        self.filter = filter
        self.bias = bias
    }

    /// Drops what is held.
    public func clear() {
        sources = []
        filter = nil
        bias = nil
    }
}

/// What a convolution's inference primitive depends on besides the held weights' shapes.
struct InferenceCallKey: Equatable {
    let x: [Int]
    let w: [Int]
    let bias: Bool
    let geometry: ConvGeometry
    let activation: EltwiseKind?
}
