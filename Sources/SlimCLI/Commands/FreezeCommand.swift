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

    @Option(name: .customLong("weight_quant_type"), help: "abs_max or channel_wise_abs_max (as in training).")
    var weightQuantType: String = "abs_max"

    @Option(name: .customLong("weight_bits"), help: "Weight bits (as in training).")
    var weightBits: Int = 8

    @Option(name: .customLong("activation_bits"), help: "Activation bits (as in training).")
    var activationBits: Int = 8

    @Option(name: .customLong("save_path"), help: "Output directory: float/ and int8/ are written inside.")
    var savePath: String

    func validate() throws {
        _ = try modelDir.requiredPath()
        guard WeightQuantizeType(rawValue: weightQuantType) != nil else {
            throw ValidationError("--weight_quant_type must be one of \(WeightQuantizeType.allCases.map(\.rawValue).joined(separator: ", ")), got '\(weightQuantType)'")
        }
    }

    func run() throws {
        registerOps()
        try reportingErrors {
            let modelPath = try modelDir.requiredPath()
            let loaded = try modelDir.load(modelPath)
            let exporter = FrozenModels(weightBits: weightBits, activationBits: activationBits,
                                        weightQuantizeType: WeightQuantizeType(rawValue: weightQuantType)!)
            let out = savePath as NSString
            let written = try exporter.save(loaded.program, params: loaded.params,
                                            floatPath: out.appendingPathComponent("float"), int8Path: out.appendingPathComponent("int8"))
            printFlushed("froze \(modelPath) -> \(written.joined(separator: ", "))\n")
        }
    }
}
