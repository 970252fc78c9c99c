import Foundation
import SlimConfig
import SlimGraph
import SlimQuant
import SlimTensor
import SlimTrain

/// Post-training quantization as a compressor strategy (HAT's calibration stage in a slim YAML):
/// at compression begin it observes the loaded float model (`init_model` / `pretrain_weights`) on
/// `batch_nums` calibration batches (`CalibrationReader`), turns the session's program into the
/// calibrated QAT program (so the compressor's evaluation and checkpoints show the quantized
/// model), and saves `float_model_save_path`, `int8_model_save_path` and, if set,
/// `eval_model_save_path`. It trains nothing: with only such strategies the compressor runs no
/// batches (`trainsModel` is false), just the evaluation and checkpoint of each epoch.
public final class PostTrainingQuantizationStrategy: Strategy {
    public let name: String
    public let config: PostTrainingQuantizationStrategyConfig
    private(set) var calibrated = false
    /// The asymmetric activations' zero points (attrs of the program, recorded for `restore`).
    private var zeroPoints: [String: Int] = [:]

    public init(name: String, config: PostTrainingQuantizationStrategyConfig) {
        self.name = name
        self.config = config
    }

    public var trainsModel: Bool { false }

    /// The SlimQuant options of this configuration.
    public var quantization: PostTrainingQuantization {
        PostTrainingQuantization(algorithm: CalibrationAlgorithm(rawValue: config.algo) ?? .kl,
                                 scheme: QuantizationScheme(config), histPercent: config.histPercent,
                                 activationMode: ActivationMode(rawValue: config.activationMode) ?? .symmetric)
    }

    public func onCompressionBegin(_ context: CompressionContext) throws {
        guard !calibrated else { return }
        let session = context.session
        let (feeds, fetches) = try session.saveNodes(inNodes: config.saveInNodes, outNodes: config.saveOutNodes, strategy: name)
        let inference = try session.inferenceModel().program
        let reader = try CalibrationReader(train: context.train, eval: context.eval, batchNums: config.batchNums,
                                           seed: UInt64(truncatingIfNeeded: try context.model.int("seed") ?? 1), feeds: session.interface.inferenceFeeds)
        let models = CalibratedModels(quantization)
        let result = try quantization.calibrate(inference, params: session.scope.tensors, batches: reader,
                                                 reduction: try CalibrationReduction.current())
        var program = session.program
        try quantization.apply(result, to: &program, params: &session.scope.tensors)
        try session.setProgram(program)
        calibrated = true
        zeroPoints = result.zeroPoints
        context.log("\(name): calibrated \(result.scales.count) activations on \(result.batches) batches (\(config.algo), weights \(config.weightQuantizeType.rawValue))\n")
        context.log(CalibratedModels.summary(result, order: try quantization.activations(of: inference)) + "\n")
        let saved = try session.program.pruned(feeds: feeds, fetches: fetches)
        let params = session.scope.tensors.filter { saved.variable($0.key)?.persistable == true }
        let written = try models.save(saved, params: params, evalPath: config.evalModelSavePath,
                                      floatPath: config.floatModelSavePath, int8Path: config.int8ModelSavePath)
        context.log("\(name): saved \(written.joined(separator: ", "))\n")
    }

    /// `calibrated`, and `zero_points`: one `<z> <var>` line per asymmetric activation.
    public func record() -> [String: String] {
        var record = ["calibrated": String(calibrated)]
        if !zeroPoints.isEmpty { record["zero_points"] = zeroPoints.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "\n") }
        return record
    }

    public var fingerprint: String {
        "PostTrainingQuantizationStrategy(algo \(config.algo), batch_nums \(config.batchNums), hist_percent \(config.histPercent), "
            + (config.activationMode == "symmetric" ? "" : "activation_mode \(config.activationMode), ")
            + "weights \(config.weightQuantizeType.rawValue) \(config.weightBits) bit, activations \(config.activationBits) bit)"
    }

    /// Replays the program change (the checkpoint holds the calibrated scales).
    public func restore(_ record: [String: String], context: CompressionContext) throws {
        guard record["calibrated"] == "true", !calibrated else { return }
        var program = context.session.program
        try quantization.transformPass.apply(to: &program, scope: context.session.scope)
        for line in (record["zero_points"] ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let z = Int(parts[0]) else { throw GraphError("\(name): bad zero_points record line '\(line)'") }
            zeroPoints[String(parts[1])] = z
        }
        try PostTrainingQuantization.setZeroPoints(zeroPoints, in: &program)
        try context.session.setProgram(program)
        calibrated = true
    }

}
