import Foundation
import SlimGraph
import SlimQuant
import SlimTensor
import SwiftProtobuf
import XCTest
@testable import SlimONNX

/// The exported bytes parse back (with the generated Swift types) into the same model.
final class RoundTripTests: XCTestCase {
    func testFloatModelRoundTrips() throws {
        let model = try ExportFixtures.float(LeNet5(numClasses: 10), inputShape: [1, 28, 28])
        let onnx = try ONNXExporter().export(model.program, params: model.params)
        let parsed = try Onnx_ModelProto(serializedBytes: try onnx.serializedData())
        XCTAssertEqual(parsed, onnx.proto)
        XCTAssertEqual(parsed.graph.node.map(\.opType), onnx.nodeTypes)
        for v in model.program.persistables {
            let t = try XCTUnwrap(parsed.graph.initializer.first { $0.name == v.name || $0.name == "\(v.name).aligned" }, v.name)
            XCTAssertEqual(t.floatValues, model.params[v.name]?.floats, v.name)
        }
    }

    func testQDQModelRoundTripsThroughAFile() throws {
        let frozen = try ExportFixtures.frozen(MobileNetV1(numClasses: 10, scale: 0.25), inputShape: [3, 32, 32], weights: .channelWiseAbsMax)
        let int8 = try ExportFixtures.int8(frozen)
        let onnx = try ONNXExporter(opset: 15).export(int8.program, params: int8.params)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("slim-onnx-\(UUID().uuidString).onnx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try onnx.write(to: path)
        let parsed = try Onnx_ModelProto(serializedBytes: try XCTUnwrap(FileManager.default.contents(atPath: path)))
        XCTAssertEqual(parsed, onnx.proto)
        XCTAssertEqual(parsed.opsetImport.first?.version, 15)
        XCTAssertEqual(parsed.producerName, "slim")
        for w in int8.program.persistables where w.dtype == .s8 {
            let t = try XCTUnwrap(parsed.graph.initializer.first { $0.name == w.name }, w.name)
            XCTAssertEqual(t.int8Values, int8.params[w.name]?.withUnsafeElements(as: Int8.self) { Array($0) }, w.name)
            XCTAssertEqual(t.dims.map(Int.init), w.shape)
        }
    }

    func testEveryValueIsDefinedBeforeItIsRead() throws {
        for model in [try ExportFixtures.float(LeNet5(numClasses: 10), inputShape: [1, 28, 28]),
                      try ExportFixtures.frozen(MobileNetV1(numClasses: 10, scale: 0.25), inputShape: [3, 32, 32], weights: .channelWiseAbsMax)] {
            let graph = try ONNXExporter().export(model.program, params: model.params).proto.graph
            var defined = Set(graph.input.map(\.name) + graph.initializer.map(\.name))
            XCTAssertEqual(defined.count, graph.input.count + graph.initializer.count, "unique initializer names")
            for node in graph.node {
                for input in node.input { XCTAssertTrue(defined.contains(input), "\(node.name) reads undefined '\(input)'") }
                for output in node.output { XCTAssertTrue(defined.insert(output).inserted, "'\(output)' written twice") }
            }
            for output in graph.output { XCTAssertTrue(defined.contains(output.name), output.name) }
            XCTAssertEqual(Set(graph.node.map(\.name)).count, graph.node.count, "unique node names")
        }
    }
}
