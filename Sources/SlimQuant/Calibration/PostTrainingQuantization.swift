import SlimGraph
import SlimTensor

/// Post-training quantization (calibration, Paddle's `PostTrainingQuantization`): activation
/// thresholds from observing a float model on a few batches instead of from training.
///
/// Steps:
/// 1. `activations(of:)`: the vars `QuantizationTransformPass` would quantize that are not
///    weights (conv2d/depthwise_conv2d `Input`, mul `X`).
/// 2. `calibrate`: the float program runs in eval mode on the batches, fetching those vars; one
///    `Observer` per var (`algorithm`) sees every batch. Histogram algorithms first make a pass
///    with `AbsMaxObserver` to fix each histogram's range to `max |x|` (as Paddle and TensorRT).
/// 3. `apply`: the transform pass turns the program into a QAT program (weights as the scheme's
///    `weightQuantizeType`, activations `moving_average_abs_max`) and each activation's state is
///    set to its threshold (`scale = accum = s`, `state = 1`), so eval-mode runs, the freeze
///    pass and a later QAT fine-tune all start from the calibrated scales.
/// Weight scales need no data: the freeze pass takes them from the weights (`abs_max`, or per
/// output channel for conv filters with `channel_wise_abs_max`).
///
/// With `activationMode` `.asymmetric` each activation gets a `RangeObserver` (`abs_max`: the
/// observed minimum and maximum, `avg`: the means of the per-batch ones) and `apply` also sets
/// the quantizer's `zero_point` attr: uint8 levels `clamp(round(x * 127 / s), -z, 255 - z) + z`,
/// the parameters ONNX Runtime's `MinMax` calibration gives the same tensor.
public struct PostTrainingQuantization: Sendable {
    public var algorithm: CalibrationAlgorithm
    /// Weight bits and type, activation bits; the activations are always
    /// `moving_average_abs_max` (the calibrated threshold is stored as its state).
    public var scheme: QuantizationScheme
    /// The share of `|x|` kept by `hist` (and `mix`'s `hist` candidate).
    public var histPercent: Double
    /// Histogram bins of `hist`, `KL`, `mse` and `mix`.
    public var bins: Int
    public var quantizableOpTypes: [String]
    /// Symmetric int8 or asymmetric uint8 activations.
    public var activationMode: ActivationMode

    /// The default scheme: 8 bits, `channel_wise_abs_max` weights.
    public static let defaultScheme = QuantizationScheme(weightQuantizeType: .channelWiseAbsMax, activationQuantizeType: .movingAverageAbsMax)

    public init(algorithm: CalibrationAlgorithm = .kl, scheme: QuantizationScheme = defaultScheme, histPercent: Double = 0.9999,
                bins: Int = 2048, quantizableOpTypes: [String] = QuantizableOp.defaultTypes, activationMode: ActivationMode = .symmetric) {
        self.algorithm = algorithm
        self.scheme = scheme
        self.histPercent = histPercent
        self.bins = bins
        self.quantizableOpTypes = quantizableOpTypes
        self.activationMode = activationMode
    }

    /// Checks that the options go together.
    /// - Throws: `GraphError` for asymmetric activations with a histogram algorithm or other than 8 bits.
    public func validate() throws {
        guard histPercent > 0 && histPercent <= 1 else { throw GraphError("hist_percent must be in (0, 1], got \(histPercent)") }
        guard bins > 0 else { throw GraphError("histogram bins must be > 0, got \(bins)") }
        guard activationMode == .asymmetric else { return }
        guard [.absMax, .avg].contains(algorithm) else {
            throw GraphError("asymmetric activations are calibrated with algo abs_max (min/max) or avg (mean batch min/max), not \(algorithm.rawValue)",
                             hints: ["use --algo abs_max, or symmetric activations for \(algorithm.rawValue)"])
        }
        guard scheme.activationBits == 8 else {
            throw GraphError("asymmetric activations are uint8: activation_bits must be 8, got \(scheme.activationBits)")
        }
    }

    /// The pass `apply` runs: `scheme` with `moving_average_abs_max` activations.
    public var transformPass: QuantizationTransformPass {
        var transform = scheme
        transform.activationQuantizeType = .movingAverageAbsMax
        return QuantizationTransformPass(transform, quantizableOpTypes: quantizableOpTypes)
    }

    /// The activation vars the transform pass quantizes in `program`, in op order.
    /// - Throws: `GraphError` for bad options or an already quantized program.
    public func activations(of program: Program) throws -> [String] {
        var quantized = program, params: [String: Tensor] = [:]
        try transformPass.apply(to: &quantized, params: &params)
        return try QuantPair.find(in: quantized).filter { !$0.isWeight }.map(\.original)
    }

    /// Observes the activations of the float `program` on `batches` and returns their thresholds.
    /// With a `reduction`, this process observes its share of the batches and the observers are
    /// combined over the processes (`CalibrationReduction`): every process returns the result of
    /// one process observing every batch.
    /// - Throws: `GraphError` for bad options, a quantized program, no batches, or a failing run;
    ///   the batches' own errors.
    public func calibrate(_ program: Program, params: [String: Tensor], batches: some CalibrationBatches,
                          reduction: CalibrationReduction? = nil) throws -> CalibrationResult {
        try validate()
        let vars = try activations(of: program)
        let executor = try Executor(program: program)
        let scope = Scope(params)
        if activationMode == .asymmetric {
            let (observers, count) = try observe(vars, executor, scope, batches, reduction) { _ in RangeObserver(averaged: algorithm == .avg) }
            let grids = observers.mapValues { ($0 as! RangeObserver).asymmetric }
            return CalibrationResult(scales: grids.mapValues(\.scale), batches: count, zeroPoints: grids.mapValues(\.zeroPoint))
        }
        var ranges: [String: Float]?
        if algorithm.usesHistogram {
            let maxima = try observe(vars, executor, scope, batches, reduction) { _ in AbsMaxObserver() }
            ranges = maxima.observers.mapValues(\.scale)
        }
        let (observers, count) = try observe(vars, executor, scope, batches, reduction) { name in
            algorithm.makeObserver(bits: scheme.activationBits, percentile: histPercent, bins: bins, range: ranges?[name])
        }
        let choices = observers.compactMapValues { ($0 as? MixObserver)?.chosen }
        return CalibrationResult(scales: observers.mapValues(\.scale), choices: choices, batches: count)
    }

    /// One pass over `batches` (this process's share of them with a `reduction`), each var's
    /// value fed to its observer; the observers are then combined over the processes.
    private func observe(_ vars: [String], _ executor: Executor, _ scope: Scope, _ batches: some CalibrationBatches,
                         _ reduction: CalibrationReduction?, make: (String) -> any Observer) throws -> (observers: [String: any Observer], batches: Int) {
        var observers = Dictionary(uniqueKeysWithValues: vars.map { ($0, make($0)) })
        var count = 0, index = 0
        try batches.forEachBatch { feeds in
            defer { index += 1 }
            guard reduction?.observes(index) ?? true else { return }
            let values = try executor.run(feeds: feeds, scope: scope, mode: .eval, fetches: vars)
            for name in vars { observers[name]!.observe(values[name]!) }
            count += 1
        }
        if let reduction { count = reduction.combine(&observers, order: vars, batches: count) }
        guard count > 0 else { throw GraphError("calibration needs at least one batch", hints: ["check batch_nums and the reader"]) }
        return (observers, count)
    }

    /// Turns the float `program` into its QAT program with the calibrated activation scales in `params`.
    /// - Throws: `GraphError` for bad options, a quantized program, or an activation `result` has no scale for.
    public func apply(_ result: CalibrationResult, to program: inout Program, params: inout [String: Tensor]) throws {
        var quantized = program, values = params
        try transformPass.apply(to: &quantized, params: &values)
        for pair in try QuantPair.find(in: quantized) where !pair.isWeight {
            guard let s = result.scales[pair.original] else {
                throw GraphError("no calibrated scale for activation '\(pair.original)'", hints: ["calibrate this program first"])
            }
            values[pair.scale] = Tensor(shape: [1], floats: [s])
            values[QuantNames.accum(pair.original)] = Tensor(shape: [1], floats: [s])
            values[QuantNames.state(pair.original)] = Tensor(shape: [1], floats: [1])
        }
        try Self.setZeroPoints(result.zeroPoints, in: &quantized)
        program = quantized
        params = values
    }

    /// Sets attr `zero_point` of the quantizer of each activation in `zeroPoints` (by the var it quantizes).
    /// - Throws: `GraphError` when an activation has no quantizer in `program`.
    public static func setZeroPoints(_ zeroPoints: [String: Int], in program: inout Program) throws {
        guard !zeroPoints.isEmpty else { return }
        let pairs = try QuantPair.find(in: program).filter { !$0.isWeight }
        for (name, z) in zeroPoints {
            guard let pair = pairs.first(where: { $0.original == name }) else {
                throw GraphError("no quantizer of activation '\(name)' to give zero point \(z)")
            }
            program.ops[pair.quantizeOp].attrs["zero_point"] = .int(z)
        }
    }
}
