import CDNNL

extension Kernels {
    /// y = activation(conv(x, w) + b) for inference (oneDNN forward_inference, the activation an
    /// eltwise post-op), with w and b the ones `weights` holds (`InferenceWeights.hold`).
    ///
    /// The first call packs the held filter into the layout the primitive chose for it and keeps
    /// the packed copy in `weights` (only the packed one), so later calls pass it as it is. A
    /// later call whose primitive chose another layout (another input size) makes its own copy.
    public static func conv2dInference(_ x: Tensor, weights: InferenceWeights, geometry g: ConvGeometry,
                                       activation: EltwiseKind?) -> Tensor {
        guard let held = weights.filter else { preconditionFailure("conv2dInference: no weights held") }
        let filterShape = held.shape
        let c = ConvShapes(x: x.shape, w: filterShape, g: g)
        let key = InferenceCallKey(x: x.shape, w: filterShape, bias: weights.bias != nil, geometry: g, activation: activation)
        let p: PreparedPrimitive
        if let last = weights.lastPrimitive, last.key == key {
            p = last.primitive
        } else {
            p = convForwardPrimitive(c, bias: key.bias, training: false, activation: activation)
            weights.lastPrimitive = (key, p)
        }
        var filter = held
        if let slot = p.slots[DNNL_ARG_WEIGHTS], let layout = slot.layout, !(held.layout.map(slot.accepts) ?? false) {
            let source = held.plain()
            let packed = Tensor(uninitializedShape: filterShape, layout: layout)
            ReorderPlan.shared(from: slot.user.desc, to: slot.chosen).run(source.buffer.pointer, packed.buffer.pointer)
            weights.filter = packed
            filter = packed
        }
        var inputs = [DNNL_ARG_SRC: x, DNNL_ARG_WEIGHTS: filter]
        if let b = weights.bias { inputs[DNNL_ARG_BIAS] = b }
        var outputs = [DNNL_ARG_DST: output(p, DNNL_ARG_DST, shape: c.y, writesPadding: true)]
        run(p, inputs: inputs, outputs: &outputs)
        return outputs[DNNL_ARG_DST]!
    }
}
