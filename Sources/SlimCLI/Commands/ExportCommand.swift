import ArgumentParser
import Foundation
import SlimONNX

/// `slim export`: a model directory -> an ONNX file (plain FP32, or QDQ INT8 for frozen models).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a model to ONNX (plain FP32 or QDQ INT8).",
        discussion: """
        Reads a model directory (slim train's best/last, or freeze's float/ or int8/) and writes
        its inference program (image -> probabilities, batch dimension symbolic) as ONNX. Float
        models become plain ONNX; frozen models become ONNX Runtime's QDQ format (QuantizeLinear ->
        DequantizeLinear around each quantized conv/mul input, int8, zero point 0, per-channel
        weights on axis 0). Examples:
          slim export --model_path output/model/best --format onnx --output lenet.onnx
          slim export --model_path output/int8 --format onnx --output lenet_int8.onnx
        """
    )

    @OptionGroup var modelDir: ModelDirOptions

    /// The formats `slim export` writes.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        /// ONNX (plain FP32, or QDQ INT8 for frozen models).
        case onnx
    }

    @Option(help: "Output format.")
    var format: Format = .onnx

    @Option(help: "The file to write.")
    var output: String

    @Option(help: "ONNX opset (\(ONNXExporter.supportedOpsets.lowerBound)...\(ONNXExporter.supportedOpsets.upperBound)).")
    var opset: Int = 13

    @OptionGroup var log: LogOptions

    func validate() throws {
        _ = try modelDir.requiredPath()
        guard ONNXExporter.supportedOpsets.contains(opset) else {
            throw ValidationError("--opset must be in \(ONNXExporter.supportedOpsets.lowerBound)...\(ONNXExporter.supportedOpsets.upperBound), got \(opset)")
        }
    }

    func run() throws {
        log.apply()
        try reportingErrors {
            let modelPath = try modelDir.requiredPath()
            let loaded = try modelDir.load(modelPath)
            let model = try ONNXExporter(opset: opset).export(loaded.program, params: loaded.params)
            try model.write(to: output)
            let kind = model.quantizedOps > 0 ? "QDQ int8, \(model.quantizedOps) quantized ops" : "float"
            printFlushed("exported \(modelPath) -> \(output) (\(kind), \(model.nodeTypes.count) nodes, opset \(model.opset))\n")
        }
    }
}
