import CDNNL

/// One int8 kernel (`Kernels.conv2dInt8` / `matmulInt8`) resolved for fixed shapes, types, bias,
/// output scales, post-ops and residual: the cached primitive is looked up once, when the call is
/// made (`Kernels.conv2dInt8Call`, `matmulInt8Call`), and each `run` only binds the buffers and
/// executes (the primitive's argument slots resolved, no dictionaries; the weights' packed copy
/// remembered for the last weight storage). An int8 op keeps its call from run to run and makes a
/// new one when its input shapes change; running it computes exactly what the one-shot kernel
/// computes.
public final class Int8KernelCall {
    let primitive: PreparedPrimitive
    private let source, weights, destination: PreparedPrimitive.Slot
    private let bias: PreparedPrimitive.Slot?
    /// The last weight storage and its copy in the primitive's layout (`Kernels.packedConstant`).
    private var packed: (source: TensorStorage, tensor: Tensor)?
    /// What the call was made for (`run` checks its arguments against them).
    public let sourceShape: [Int], sourceType: DType, weightShape: [Int]
    public let outputShape: [Int], outputType: DType
    public let hasBias: Bool
    /// The type a sum post-op reads the residual as (nil: no residual).
    public let residualType: DType?
    public var hasResidual: Bool { residualType != nil }
    /// The shape the bias is passed to the primitive in ([O], or [1, N] for a matmul).
    let biasShape: [Int]

    init(_ primitive: PreparedPrimitive, source: Tensor, weightShape: [Int], outputShape: [Int], outputType: DType,
         hasBias: Bool, biasShape: [Int], residualType: DType?) {
        self.primitive = primitive
        sourceShape = source.shape
        sourceType = source.dtype
        self.weightShape = weightShape
        self.outputShape = outputShape
        self.outputType = outputType
        self.hasBias = hasBias
        self.biasShape = biasShape
        self.residualType = residualType
        let slots = primitive.slots
        precondition(slots.count == (hasBias ? 4 : 3), "an int8 primitive has source, weights, destination and optional bias")
        self.source = slots[DNNL_ARG_SRC]!
        weights = slots[DNNL_ARG_WEIGHTS]!
        destination = slots[DNNL_ARG_DST]!
        bias = hasBias ? slots[DNNL_ARG_BIAS]! : nil
    }

    /// Whether the call fits these arguments (else make a new one); `residualType` nil with a
    /// residual: the output type.
    public func fits(_ x: Tensor, weights w: Tensor, hasBias: Bool, hasResidual: Bool, residualType: DType? = nil) -> Bool {
        x.dtype == sourceType && hasBias == self.hasBias && hasResidual == self.hasResidual
            && (!hasResidual || (residualType ?? outputType) == self.residualType)
            && x.shape == sourceShape && w.shape == weightShape
    }

    /// The kernel on `x` (the call's source shape and type), weights `w` (s8), `bias` (f32) and
    /// `residual` (the output's shape and the call's residual type, read by a sum post-op), as the
    /// call was made. A residual that nothing else holds (unique storage in the destination's
    /// layout) becomes the output in place; else it is copied.
    public func run(_ x: Tensor, weights w: Tensor, bias b: Tensor?, residual: consuming Tensor?) -> Tensor {
        precondition(fits(x, weights: w, hasBias: b != nil, hasResidual: residual != nil, residualType: residual?.dtype) && w.dtype == .s8,
                     "int8 call made for \(sourceType)\(sourceShape) x \(weightShape), run on \(x.dtype)\(x.shape) x \(w.dtype)\(w.shape)")
        precondition(b.map { $0.dtype == .f32 && $0.count == biasShape.reduce(1, *) } ?? true, "int8 bias must be f32 \(biasShape)")
        precondition(residual.map { $0.shape == outputShape && $0.dtype == residualType } ?? true,
                     "residual must be \(residualType.map { "\($0)" } ?? "none") \(outputShape)")
        let xs = Kernels.usable(x, for: source), ws = Kernels.usable(packedWeights(w), for: weights)
        let bs = b.map { Kernels.usable($0.shape == biasShape ? $0 : $0.reshaped(biasShape), for: bias!) }
        var y: Tensor
        if let residual = consume residual {
            y = Kernels.int8Destination(primitive, shape: outputShape, residual: consume residual, outputType: outputType)
        } else {
            y = Tensor(uninitializedShape: outputShape, dtype: outputType, layout: destination.layout)
        }
        precondition(destination.accepts(y.layout), "output is in a layout the primitive does not write")
        y.makeBufferUnique()   // oneDNN writes it (a residual's destination is unique already)
        var list: [(PreparedPrimitive.Slot, PreparedPrimitive.Argument)] = []
        list.reserveCapacity(4)
        list.append((source, argument(xs)))
        list.append((weights, argument(ws)))
        list.append((destination, argument(y)))
        if let bs, let bias { list.append((bias, argument(bs))) }
        withExtendedLifetime(xs) { withExtendedLifetime(ws) { withExtendedLifetime(bs) {
            Kernels.withPrimitiveThreads(primitive) { primitive.run(slots: list) }
        } } }
        return y
    }

    private func argument(_ t: Tensor) -> PreparedPrimitive.Argument {
        .init(pointer: t.buffer.pointer, isPlain: t.layout == nil)
    }

    /// `w` in the primitive's weight layout: the last packed copy while `w`'s storage is the same
    /// (copy-on-write: same storage, same bytes), else `Kernels.packedConstant`'s.
    /// Uses the weights `other` packed, when this call's primitive wants them in the same layout
    /// (a lane's call of the same layer: one packed copy for all).
    public func takePackedWeights(of other: Int8KernelCall) {
        guard packed == nil, let theirs = other.packed, let layout = theirs.tensor.layout, weights.accepts(layout) else { return }
        packed = theirs
    }

    private func packedWeights(_ w: Tensor) -> Tensor {
        guard w.layout == nil else { return Kernels.packedConstant(primitive, DNNL_ARG_WEIGHTS, w) }
        if let last = packed, last.source === w.buffer { return last.tensor }
        let t = Kernels.packedConstant(primitive, DNNL_ARG_WEIGHTS, w)
        packed = (w.buffer, t)
        return t
    }
}
