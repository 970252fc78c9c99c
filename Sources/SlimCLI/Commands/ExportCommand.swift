import ArgumentParser
import Foundation
import SlimGraph
import SlimONNX

/// `slim export`: a model directory -> an ONNX file (plain FP32, or QDQ INT8 for frozen models).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a model to ONNX (plain FP32 or QDQ INT8).",
        discussion: """
        Reads a model directory (slim train's best/last, or freeze's float/ or int8/) and writes \
        its inference program (image -> probabilities, batch dimension symbolic) as ONNX. Float \
        models become plain ONNX; frozen models become ONNX Runtime's QDQ format (QuantizeLinear -> \
        DequantizeLinear around each quantized conv/mul input, int8, zero point 0, per-channel \
        weights on axis 0). --fetch names the graph outputs instead of the model's own; a YOLOv3 \
        model is cut at its three raw head outputs by default (the X inputs of yolo_box), since \
        yolo_box and multiclass_nms have no ONNX translation: decode and NMS run as a post-process.

        Examples:
          slim export --model_path output/model/best --format onnx --output lenet.onnx
          slim export --model_path output/int8 --format onnx --output lenet_int8.onnx
          slim export --model_path output/yolov3/best --output yolov3_head.onnx
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

    @Option(parsing: .upToNextOption, help: "Vars to export as the graph outputs (default: the model's fetches; a YOLOv3 model's head outputs).")
    var fetch: [String] = []

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
            let heads = YOLOv3.headOutputs(of: loaded.program)
            let fetches = fetch.isEmpty ? (heads.isEmpty ? nil : heads) : fetch
            let model = try ONNXExporter(opset: opset).export(loaded.program, params: loaded.params, fetches: fetches)
            try OutputFile.write(try model.serializedData(), to: output, option: "--output")
            let kind = model.quantizedOps > 0 ? "QDQ int8, \(model.quantizedOps) quantized ops" : "float"
            printFlushed("exported \(modelPath) -> \(output) (\(kind), \(model.nodeTypes.count) nodes, opset \(model.opset))\n")
            if fetch.isEmpty && !heads.isEmpty {
                printFlushed("outputs: the YOLOv3 head outputs \(heads.joined(separator: ", ")); yolo_box and multiclass_nms are a post-process\n")
            }
        }
    }
}
