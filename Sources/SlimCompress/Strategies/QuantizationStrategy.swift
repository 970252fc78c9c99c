import Foundation
import SlimConfig
import SlimGraph
import SlimQuant
import SlimTensor

/// PaddleSlim 1.x's QuantizationStrategy: at the beginning of `start_epoch` it inserts fake
/// quantize/dequantize ops (QuantizationTransformPass) so training learns under quantization;
/// at the end of `end_epoch` it freezes the model and saves `float_model_save_path` (frozen
/// FP32), `int8_model_save_path` (INT8 weights) and `mobile_model_save_path` (the INT8 model as
/// QDQ ONNX, `<path>/model.onnx`), pruned to `save_in_nodes` -> `save_out_nodes` (default: the
/// image feed -> the classifier's softmax output).
public final class QuantizationStrategy: Strategy {
    public let name: String
    public let config: QuantizationStrategyConfig
    private(set) var transformed = false
    private var frozen = false
    private var freezeOnBegin = false

    public init(name: String, config: QuantizationStrategyConfig) {
        self.name = name
        self.config = config
    }

    /// The scheme of this configuration.
    public var scheme: QuantizationScheme { QuantizationScheme(config) }

    public func onCompressionBegin(_ context: CompressionContext) throws {
        if freezeOnBegin { try freeze(context) }
    }

    public func onEpochBegin(_ context: CompressionContext) throws {
        guard context.epoch == config.startEpoch, !transformed else { return }
        try transform(context)
        let s = scheme
        context.log("\(name): inserted fake-quant ops (weights \(s.weightQuantizeType.rawValue) \(s.weightBits) bit, activations \(s.activationQuantizeType.rawValue) \(s.activationBits) bit)\n")
    }

    public func onEpochEnd(_ context: CompressionContext) throws {
        if context.epoch == config.endEpoch && !frozen { try freeze(context) }
    }

    public var fingerprint: String {
        "QuantizationStrategy(weights \(config.weightQuantizeType.rawValue) \(config.weightBits) bit, "
            + "activations \(config.activationQuantizeType.rawValue) \(config.activationBits) bit, start_epoch \(config.startEpoch))"
    }

    public func record() -> [String: String] {
        ["transformed": String(transformed), "frozen": String(frozen)]
    }

    public func restore(_ record: [String: String], context: CompressionContext) throws {
        if record["transformed"] == "true" && !transformed { try transform(context) }
        frozen = record["frozen"] == "true"
        // A run stopped between the end_epoch checkpoint and the freeze freezes on resume.
        freezeOnBegin = !frozen && context.epoch == config.endEpoch && transformed
    }

    private func transform(_ context: CompressionContext) throws {
        var program = context.session.program
        try QuantizationTransformPass(scheme).apply(to: &program, scope: context.session.scope)
        try context.session.setProgram(program)
        transformed = true
    }

    private func freeze(_ context: CompressionContext) throws {
        let session = context.session
        let (feeds, fetches) = try session.saveNodes(inNodes: config.saveInNodes, outNodes: config.saveOutNodes, strategy: name)
        let program = try session.program.pruned(feeds: feeds, fetches: fetches)
        let params = session.scope.tensors.filter { program.variable($0.key)?.persistable == true }
        let exporter = FrozenModels(scheme)
        let written = try exporter.save(program, params: params, floatPath: config.floatModelSavePath, int8Path: config.int8ModelSavePath,
                                        mobilePath: config.mobileModelSavePath)
        frozen = true
        freezeOnBegin = false
        context.log("\(name): froze epoch \(context.epoch) and saved \(written.joined(separator: ", "))\n")
    }
}
