import Foundation
import SwiftProtobuf
import XCTest
@testable import SlimONNX

/// `mobile_model_save_path` of a QuantizationStrategy: at end_epoch the INT8 model is also
/// written there as QDQ ONNX (`model.onnx`), the file `slim export` makes of the int8 directory.
final class MobileModelEndToEndTests: XCTestCase {
    private func slimYAML(mobilePath: String) -> String {
        SlimRunner.tinySlim(epochs: 1, weight: "channel_wise_abs_max")
            .replacingOccurrences(of: "    int8_model_save_path: ./quant/int8\n",
                                  with: "    int8_model_save_path: ./quant/int8\n    mobile_model_save_path: \(mobilePath)\n")
    }

    func testCompressWritesTheINT8ModelAsQDQONNX() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        let yaml = slimYAML(mobilePath: "./quant/mobile")
        XCTAssertTrue(yaml.contains("mobile_model_save_path"), yaml)
        try slim.write("slim.yaml", yaml)
        let compress = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml"])
        XCTAssertEqual(compress.status, 0, compress.err)
        XCTAssertTrue(compress.out.contains("./quant/mobile/model.onnx"), compress.out)

        let bytes = try XCTUnwrap(slim.bytes("quant/mobile/model.onnx"), "no quant/mobile/model.onnx")
        let parsed = try Onnx_ModelProto(serializedBytes: bytes)
        XCTAssertEqual(parsed.producerName, "slim")
        XCTAssertEqual(parsed.graph.node.filter { $0.opType == "QuantizeLinear" }.count, 5, "\(parsed.graph.node.map(\.opType))")
        XCTAssertEqual(parsed.graph.node.filter { $0.opType == "Conv" }.count, 2)
        XCTAssertEqual(parsed.graph.input.map(\.name), ["image"])
        XCTAssertTrue(parsed.graph.initializer.contains { $0.dataType == Int32(Onnx_TensorProto.DataType.int8.rawValue) }, "int8 weights")

        let export = try slim.run(["export", "--model_path", "quant/int8", "--format", "onnx", "--output", "int8.onnx"])
        XCTAssertEqual(export.status, 0, export.err)
        XCTAssertEqual(try Onnx_ModelProto(serializedBytes: try XCTUnwrap(slim.bytes("int8.onnx"))), parsed,
                       "the same model as slim export of int8_model_save_path")
    }

    func testUnwritablePathIsAnErrorNamingIt() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yaml", slimYAML(mobilePath: "./taken"))
        try slim.write("taken", "a file slim did not write\n")
        let compress = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml"])
        XCTAssertEqual(compress.status, 74, "an unwritable save path is an I/O error: \(compress.err)")
        XCTAssertTrue(compress.err.contains("./taken"), compress.err)
        XCTAssertEqual(slim.bytes("taken").map { String(decoding: $0, as: UTF8.self) }, "a file slim did not write\n")
    }
}
