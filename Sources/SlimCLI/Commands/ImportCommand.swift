import ArgumentParser
import Foundation
import SlimGraph
import SlimONNX
import SlimQuant

/// `slim import`: an ONNX file -> a slim model directory (`__model__` + `__params__`).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an ONNX model (trained elsewhere) as a slim model directory.",
        discussion: """
        Reads an ONNX model (opset \(ONNXImporter.supportedOpsets.lowerBound)...\(ONNXImporter.supportedOpsets.upperBound), float NCHW inputs) \
        and writes SAVE_PATH/__model__ and SAVE_PATH/__params__, which eval, infer, calibrate, \
        export and bench read like a trained model. Feeds and fetches keep the ONNX graph input \
        and output names; the batch dimension is dynamic. Constants and the shape arithmetic \
        exporters emit before Reshape are evaluated at import. An op without a translation stops \
        the import (exit 65) naming its type, node and opset. \
        A quantized (QDQ) file imports as an INT8 model keeping its scales (slim's INT8 engine runs \
        it); asymmetric (uint8 zero point) activations keep their zero points.

        To fine-tune or compress the imported model: `architecture: Imported` with \
        `Imported: {model_dir: SAVE_PATH}` in a model YAML.

        Examples:
          slim import --model mobilenet.onnx --save_path output/imported
          slim import --model det.onnx --save_path output/det --input_shape 1,3,640,640
        """
    )

    @Option(help: "The ONNX file to import.")
    var model: String

    @Option(name: .customLong("save_path"), help: "Output model directory (created; an existing one is replaced only if it holds nothing but model files).")
    var savePath: String

    @Option(name: .customLong("input_shape"), help: "Input dims N,C,H,W (or C,H,W) for an input whose dims the file leaves symbolic; the batch stays dynamic.")
    var inputShape: String?

    @OptionGroup var log: LogOptions

    /// `--input_shape` as integers.
    func parsedInputShape() throws -> [Int]? {
        guard let inputShape else { return nil }
        let dims = inputShape.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--input_shape must be positive integers separated by commas (N,C,H,W), got '\(inputShape)'")
        }
        return dims.compactMap { $0 }
    }

    func validate() throws {
        _ = try parsedInputShape()
    }

    func run() throws {
        log.apply()
        try requireReadableFile(model)
        registerOps()   // a QDQ model imports as a frozen INT8 program (fake-quant ops)
        try reportingErrors {
            let imported = try ONNXImporter(inputShape: try parsedInputShape()).importModel(at: model)
            try ModelFile.save(program: imported.program, params: imported.params, to: savePath)
            let program = imported.program
            printFlushed("imported \(model) -> \(savePath) (\(imported.nodeTypes.count) ONNX nodes, opset \(imported.opset); "
                         + "\(program.ops.count) slim ops, \(imported.foldedNodes) nodes folded at import)\n")
            let shapes = program.feeds.map { "\($0) \(program.variable($0)?.shape ?? [])" }
            printFlushed("feeds: \(shapes.joined(separator: ", ")); fetches: \(program.fetches.joined(separator: ", "))\n")
            if imported.quantizedOps > 0 {
                printFlushed("QDQ: \(imported.quantizedOps) convolutions and products imported as int8 with their scales "
                             + "(slim eval/infer/bench run them on the INT8 engine)\n")
            }
            if !imported.asymmetricActivations.isEmpty {
                printFlushed("QDQ: \(imported.asymmetricActivations.count) activations keep their asymmetric uint8 zero points\n")
            }
        }
    }
}
