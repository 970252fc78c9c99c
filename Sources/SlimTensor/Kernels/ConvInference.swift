import CDNNL

extension Kernels {
    /// y = activation(conv(x, w) + b) for inference (oneDNN forward_inference, the activation an
    /// eltwise post-op), with w and b the ones `weights` holds (`InferenceWeights.hold`).
    ///
    /// The first call packs the held filter into the layout the primitive chose for it and keeps
    /// the packed copy in `weights` (only the packed one), so later calls pass it as it is. A
    /// later call whose primitive chose another layout (another input size) makes its own copy.
    ///
    /// The primitive and its argument slots are kept in `weights` for the call's input shape,
    /// geometry and activation (`ConvInferenceCall`): a call like the last one looks up nothing.
    ///
    /// A `residual` handed over (`consume`d by a caller holding the last reference) is summed into
    /// in place when it is already in the destination's layout: no copy of the shortcut.
    public static func conv2dInference(_ x: Tensor, weights: InferenceWeights, geometry g: ConvGeometry,
                                       activation: EltwiseKind?, residual: consuming Tensor? = nil) -> Tensor {
        // A call like the last one, the weights it ran with still held: only the source and
        // destination change.
        if let last = weights.lastCall, let bound = last.bound, last.matches(x: x.shape, geometry: g, activation: activation,
                                                                             residual: residual != nil) {
            let y = destination(last, residual: consume residual)
            last.run(usable(x, for: last.source), bound, y)
            return y
        }
        guard let held = weights.filter else { preconditionFailure("conv2dInference: no weights held") }
        let hasBias = weights.bias != nil
        let call: ConvInferenceCall
        if let last = weights.lastCall, last.matches(x: x.shape, w: held.shape, bias: hasBias, geometry: g, activation: activation,
                                                     residual: residual != nil) {
            call = last
        } else {
            let c = ConvShapes(x: x.shape, w: held.shape, g: g)
            call = ConvInferenceCall(convForwardPrimitive(c, bias: hasBias, training: false, activation: activation, residual: residual != nil,
                                                          inferenceLayouts: true),
                                     x: x.shape, w: held.shape, y: c.y, geometry: g, activation: activation, residual: residual != nil)
            weights.lastCall = call
        }
        var filter = held
        if call.filter.chosen.raw.ndims == 2 {
            // A pointwise convolution run as a matmul: its filter is the [C, O] matrix, packed once
            // into the matmul's layout from the plain [O, C, 1, 1] filter (the slot's plain form).
            if let layout = call.filter.layout {
                if !(weights.matrix.map { call.filter.accepts($0.layout) } ?? false) {
                    weights.matrix = packed(held, shape: [held.shape[1], held.shape[0]], layout: layout, for: call.filter)
                }
                filter = weights.matrix!
            }
        } else if let layout = call.filter.layout, !(held.layout.map(call.filter.accepts) ?? false) {
            filter = packed(held, shape: held.shape, layout: layout, for: call.filter)
            weights.filter = filter
        }
        let source = usable(x, for: call.source)
        let y = destination(call, residual: consume residual)
        let bound = call.bind(filter: filter, bias: weights.bias)
        call.run(source, bound, y)
        return y
    }

    /// A new destination in the layout `call` chose; with a residual, the residual's copy in that
    /// layout (the sum post-op adds the convolution to it), or the residual itself when nothing
    /// else holds it.
    private static func destination(_ call: ConvInferenceCall, residual: consuming Tensor?) -> Tensor {
        if let residual = consume residual {
            precondition(residual.shape == call.y && residual.dtype == .f32, "conv2dInference: residual \(residual.shape) != \(call.y)")
            return summedDestination(residual, layout: call.destination.layout)
        }
        return Tensor(uninitializedShape: call.y, layout: call.destination.layout, zeroPadding: false)
    }
}

extension Kernels {
    /// `filter` (plain, or packed for another call) reordered from the slot's plain form into
    /// `layout`, the slot's chosen one, as a tensor of `shape`.
    fileprivate static func packed(_ filter: Tensor, shape: [Int], layout: TensorLayout, for slot: PreparedPrimitive.Slot) -> Tensor {
        let source = filter.plain()
        let packed = Tensor(uninitializedShape: shape, layout: layout)
        withExtendedLifetime(source) {
            ReorderPlan.shared(from: slot.user.desc, to: slot.chosen).run(source.buffer.pointer, packed.buffer.pointer)
        }
        return packed
    }
}

/// A convolution's inference primitive with its argument slots, for one input shape, filter
/// shape, bias presence, geometry and activation (`Kernels.conv2dInference`, kept by the layer's
/// `InferenceWeights`).
final class ConvInferenceCall {
    let x: [Int]
    let w: [Int]
    let y: [Int]
    let geometry: ConvGeometry
    let activation: EltwiseKind?
    /// Whether the primitive sums a residual held in the destination (a sum post-op).
    let residual: Bool
    let primitive: PreparedPrimitive
    let source, filter, destination: PreparedPrimitive.Slot
    let bias: PreparedPrimitive.Slot?
    /// The filter (as the filter slot takes it) and bias the last run passed, while the layer's
    /// `InferenceWeights` still hold them (its `hold` and `clear` unbind them).
    private(set) var bound: Bound?
    /// The arguments of a run, rewritten by each (no allocation per call).
    private var arguments: [(PreparedPrimitive.Slot, PreparedPrimitive.Argument)]

    /// (A class: a run passes one reference, not the two tensors' three each.)
    final class Bound {
        let filter: Tensor
        let bias: Tensor?

        init(filter: Tensor, bias: Tensor?) {
            self.filter = filter
            self.bias = bias
        }
    }

    init(_ p: PreparedPrimitive, x: [Int], w: [Int], y: [Int], geometry: ConvGeometry, activation: EltwiseKind?, residual: Bool) {
        self.residual = residual
        self.x = x
        self.w = w
        self.y = y
        self.geometry = geometry
        self.activation = activation
        primitive = p
        guard let source = p.slots[DNNL_ARG_SRC], let filter = p.slots[DNNL_ARG_WEIGHTS], let destination = p.slots[DNNL_ARG_DST] else {
            preconditionFailure("a convolution primitive without source, weights or destination")
        }
        self.source = source
        self.filter = filter
        self.destination = destination
        bias = p.slots[DNNL_ARG_BIAS]
        let none = PreparedPrimitive.Argument(pointer: UnsafeMutableRawPointer(bitPattern: 64)!, isPlain: true)
        arguments = [(source, none), (filter, none), (destination, none)] + (bias.map { [($0, none)] } ?? [])
    }

    /// Whether this call is for these shapes, bias presence, geometry, activation and residual.
    func matches(x: [Int], w: [Int], bias hasBias: Bool, geometry: ConvGeometry, activation: EltwiseKind?, residual: Bool) -> Bool {
        w == self.w && hasBias == (bias != nil) && matches(x: x, geometry: geometry, activation: activation, residual: residual)
    }

    /// Whether this call is for this input shape, geometry, activation and residual (its filter
    /// and bias being the bound ones).
    func matches(x: [Int], geometry: ConvGeometry, activation: EltwiseKind?, residual: Bool) -> Bool {
        x == self.x && geometry == self.geometry && activation == self.activation && residual == self.residual
    }

    /// Binds the filter (in the filter slot's layout, or plain) and bias that runs pass.
    func bind(filter: Tensor, bias b: Tensor?) -> Bound {
        let made = Bound(filter: Kernels.usable(filter, for: self.filter),
                         bias: b.map { t in bias.map { Kernels.usable(t, for: $0) } ?? t })
        bound = made
        arguments[1].1 = .init(made.filter)
        if let b = made.bias, arguments.count > 3 { arguments[3].1 = .init(b) }
        return made
    }

    func unbind() { bound = nil }

    /// Runs the primitive: `x` plain or in the source slot's layout, the weights `bind` returned,
    /// `y` a new tensor in the destination's.
    func run(_ x: Tensor, _ weights: Bound, _ y: Tensor) {
        arguments[0].1 = .init(x)
        arguments[2].1 = .init(y)
        withExtendedLifetime(x) { withExtendedLifetime(weights) { withExtendedLifetime(y) {
            primitive.run(slots: arguments)
        } } }
    }
}

extension PreparedPrimitive.Argument {
    /// The bytes of `t` as they are held (plain or in its layout).
    init(_ t: Tensor) {
        self.init(pointer: t.buffer.pointer, isPlain: t.layout == nil)
    }
}
