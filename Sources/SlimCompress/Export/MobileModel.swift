import Foundation
import SlimGraph
import SlimONNX
import SlimTensor

/// What a `QuantizationStrategy` writes to `mobile_model_save_path`: the deployable form of its
/// INT8 model. PaddleSlim 1.x writes a Paddle-Lite program there; slim writes the INT8 model as
/// ONNX Runtime's QDQ ONNX (`ONNXExporter`, opset 13: the file `slim export --format onnx` makes
/// of the `int8_model_save_path` directory), as `<mobile_model_save_path>/model.onnx`. A detector
/// (`yolo_box` + `multiclass_nms`, which ONNX cannot express) is cut at its raw head outputs
/// (`YOLOv3.headOutputs`), as `slim export` cuts it: decoding and NMS are a post-process.
public struct MobileModel {
    /// The file's name inside `mobile_model_save_path`.
    public static let fileName = "model.onnx"

    public let onnx: ONNXModel

    /// The graph outputs: the program's fetches, or a detector's head outputs.
    public let outputs: [String]

    /// Exports an INT8 model (`FrozenModels.int8`) in memory.
    /// - Throws: `ONNXExportError` for an op ONNX cannot express.
    public init(int8 program: Program, params: [String: Tensor]) throws {
        let heads = YOLOv3.headOutputs(of: program)
        outputs = heads.isEmpty ? program.fetches : heads
        onnx = try ONNXExporter().export(program, params: params, fetches: heads.isEmpty ? nil : heads)
    }

    /// Writes `<dir>/model.onnx` atomically, creating `dir` if needed.
    /// - Returns: the file's path.
    /// - Throws: `ModelFileError` `.io` naming the directory or file that cannot be written.
    public func save(to dir: String) throws -> String {
        let path = (dir as NSString).appendingPathComponent(Self.fileName)
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw ModelFileError(.io, path: dir, "cannot create directory: \(error.localizedDescription)", expected: "a writable location")
        }
        let bytes = try onnx.serializedData()
        do {
            try bytes.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelFileError(.io, path: path, "cannot write: \(error.localizedDescription)", expected: "a writable location")
        }
        return path
    }
}
