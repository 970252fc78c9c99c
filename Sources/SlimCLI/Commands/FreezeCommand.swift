import ArgumentParser
import Foundation
import SlimCompress
import SlimGraph
import SlimQuant

/// `slim freeze`: a checkpoint's QAT eval model -> `float/` and `int8/`.
struct FreezeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "Freeze a checkpoint's eval model into float/ and int8/ variants.",
        discussion: """
        Reads a QAT eval model (e.g. checkpoints/3/eval_model), applies QuantizationFreezePass
        (integer-valued weights, fixed activation scales) and ConvertToInt8Pass, and writes
        SAVE_PATH/float/{model,weights} and SAVE_PATH/int8/{model,weights}.

        Example:
          slim freeze --model_path checkpoints/3/eval_model --weight_quant_type abs_max --save_path output/freeze
        """
    )

    @OptionGroup var modelDir: ModelDirOptions

    @Option(name: .customLong("weight_quant_type"), help: "Scale of weights (as in training).")
    var weightQuantType: WeightQuantizeType = .absMax

    @Option(name: .customLong("weight_bits"), help: "Weight bits (as in training).")
    var weightBits: Int = 8

    @Option(name: .customLong("activation_bits"), help: "Activation bits (as in training).")
    var activationBits: Int = 8

    @Option(name: .customLong("save_path"), help: "Output directory: float/ and int8/ are written inside.")
    var savePath: String

    @OptionGroup var log: LogOptions

    /// The scheme the model was trained with (its activation type plays no part in freezing).
    var scheme: QuantizationScheme {
        QuantizationScheme(weightBits: weightBits, activationBits: activationBits,
                           weightQuantizeType: weightQuantType)
    }

    func validate() throws {
        _ = try modelDir.requiredPath()
    }

    func run() throws {
        log.apply()
        registerOps()
        try reportingErrors {
            let modelPath = try modelDir.requiredPath()
            let loaded = try modelDir.load(modelPath)
            let exporter = FrozenModels(scheme)
            let out = savePath as NSString
            let written = try exporter.save(loaded.program, params: loaded.params,
                                            floatPath: out.appendingPathComponent("float"), int8Path: out.appendingPathComponent("int8"))
            printFlushed("froze \(modelPath) -> \(written.joined(separator: ", "))\n")
        }
    }
}
