import SlimGraph
import SlimQuant
import SlimTensor
import XCTest
@testable import SlimONNX

/// The ONNX graphs of zoo models: node types in order, initializers, opset, QDQ pairs and scales.
final class ExportStructureTests: XCTestCase {
    func testFloatLeNetIsPlainONNX() throws {
        let model = try ExportFixtures.float(LeNet5(numClasses: 10), inputShape: [1, 28, 28])
        let onnx = try ONNXExporter().export(model.program, params: model.params)
        XCTAssertEqual(onnx.nodeTypes, ["Conv", "Add", "Relu", "MaxPool", "Conv", "Add", "Relu", "MaxPool",
                                        "Flatten", "MatMul", "Add", "Relu", "MatMul", "Add", "Relu", "MatMul", "Add", "Softmax"])
        XCTAssertEqual(onnx.quantizedOps, 0)
        XCTAssertEqual(onnx.opset, 13)
        XCTAssertEqual(onnx.proto.irVersion, 7)
        XCTAssertEqual(onnx.proto.opsetImport.map(\.domain), [""])

        let weight = try XCTUnwrap(onnx.initializer("conv2d_0.w_0"))
        XCTAssertEqual(weight.dims, [6, 1, 5, 5])
        XCTAssertEqual(weight.dataType, 1)
        XCTAssertEqual(weight.floatValues, model.params["conv2d_0.w_0"]?.floats)
        XCTAssertEqual(onnx.initializer("conv2d_0.b_0.aligned")?.dims, [6, 1, 1], "conv bias at axis 1 broadcasts as [C, 1, 1]")
        XCTAssertEqual(onnx.initializer("fc_0.b_0")?.dims, [120], "fc bias aligns from the right as is")
        XCTAssertEqual(onnx.initializerCount, 10, "5 weights + 5 biases")

        let conv = try XCTUnwrap(onnx.nodes("Conv").first)
        XCTAssertEqual(conv.input, ["image", "conv2d_0.w_0"])
        XCTAssertEqual(conv.output, ["conv2d_0.tmp_0"])
        XCTAssertEqual(conv.attribute("pads")?.ints, [2, 2, 2, 2])
        XCTAssertEqual(conv.attribute("kernel_shape")?.ints, [5, 5])
        XCTAssertEqual(conv.attribute("group")?.i, 1)
        XCTAssertEqual(onnx.nodes("MaxPool").first?.attribute("strides")?.ints, [2, 2])
        XCTAssertEqual(onnx.nodes("Softmax").first?.attribute("axis")?.i, -1)

        let input = try XCTUnwrap(onnx.proto.graph.input.first)
        XCTAssertEqual(onnx.proto.graph.input.count, 1, "only the image feed; initializers are not graph inputs")
        XCTAssertEqual(input.name, "image")
        XCTAssertEqual(input.type.tensorType.shape.dim.map(\.dimParam), ["N", "", "", ""], "batch is symbolic")
        XCTAssertEqual(input.type.tensorType.shape.dim.dropFirst().map(\.dimValue), [1, 28, 28])
        let output = try XCTUnwrap(onnx.proto.graph.output.first)
        XCTAssertEqual(output.name, "fc_2.tmp_2", "the program's fetch: softmax probabilities")
        XCTAssertEqual(onnx.nodes("Softmax").first?.output, ["fc_2.tmp_2"])
    }

    func testFrozenLeNetIsQDQ() throws {
        let frozen = try ExportFixtures.frozen(LeNet5(numClasses: 10), inputShape: [1, 28, 28], weights: .absMax)
        let onnx = try ONNXExporter().export(frozen.program, params: frozen.params)
        let qdq = ["QuantizeLinear", "DequantizeLinear", "DequantizeLinear"]
        // The image (a feed: its sign unknown) is clipped to [-s, s] (slim's quantizer stops at
        // -127, QuantizeLinear at -128); the ReLU outputs (through MaxPool, Flatten) need no clip.
        XCTAssertEqual(onnx.nodeTypes, ["Clip"] + qdq + ["Conv", "Add", "Relu", "MaxPool"] + qdq + ["Conv", "Add", "Relu", "MaxPool", "Flatten"]
                       + qdq + ["MatMul", "Add", "Relu"] + qdq + ["MatMul", "Add", "Relu"] + qdq + ["MatMul", "Add", "Softmax"])
        XCTAssertEqual(onnx.quantizedOps, 5)

        // Each activation QuantizeLinear feeds a DequantizeLinear with the same scale and zero point,
        // and that DequantizeLinear is the op's first input.
        for q in onnx.nodes("QuantizeLinear") {
            let dq = try XCTUnwrap(onnx.proto.graph.node.first { $0.opType == "DequantizeLinear" && $0.input.first == q.output[0] })
            XCTAssertEqual(Array(dq.input.dropFirst()), Array(q.input.dropFirst()))
            XCTAssertEqual(onnx.initializer(q.input[1])?.floatValues, [2.5 / 127], "activation scale s / bin")
            XCTAssertEqual(onnx.initializer(q.input[2])?.dataType, 3, "int8 zero point")
            XCTAssertEqual(onnx.initializer(q.input[2])?.int8Values, [0])
            let reader = try XCTUnwrap(onnx.proto.graph.node.first { $0.input.first == dq.output[0] })
            XCTAssertTrue(["Conv", "MatMul"].contains(reader.opType), reader.opType)
        }
        let clip = try XCTUnwrap(onnx.nodes("Clip").first)
        XCTAssertEqual(clip.input.first, "image")
        XCTAssertEqual(onnx.initializer(clip.input[1])?.floatValues, [-2.5])
        XCTAssertEqual(onnx.initializer(clip.input[2])?.floatValues, [2.5])
        XCTAssertEqual(onnx.nodes("QuantizeLinear").first?.input.first, "image.quantized.clipped")
        XCTAssertEqual(onnx.nodes("QuantizeLinear").first?.output, ["image.quantized"])

        // Weights: int8 initializers, per-tensor scale max|w| / 127 (the float weight before freezing).
        let original = try ExportFixtures.float(LeNet5(numClasses: 10), inputShape: [1, 28, 28])
        for w in ["conv2d_0.w_0", "conv2d_1.w_0", "fc_0.w_0", "fc_1.w_0", "fc_2.w_0"] {
            let int8 = try XCTUnwrap(onnx.initializer("\(w).int8"), w)
            XCTAssertEqual(int8.dataType, 3)
            XCTAssertEqual(int8.int8Values.map(Float.init), frozen.params[w]?.floats, "the frozen integers")
            let absMax = try XCTUnwrap(original.params[w]?.floats.map(abs).max(), w)
            XCTAssertEqual(try XCTUnwrap(onnx.initializer("\(w).scale")?.floatValues.first), absMax / 127, accuracy: absMax * 1e-6)
            let dq = try XCTUnwrap(onnx.producer(of: "\(w).dequantized"))
            XCTAssertEqual(dq.opType, "DequantizeLinear")
            XCTAssertEqual(dq.input, ["\(w).int8", "\(w).scale", "\(w).zero_point"])
            XCTAssertNil(dq.attribute("axis"), "per-tensor")
        }
        XCTAssertNil(onnx.initializer("conv2d_0.w_0"), "no float copy of a quantized weight")
        XCTAssertEqual(onnx.nodes("Conv").first?.input, ["image.quantized.dequantized", "conv2d_0.w_0.dequantized"])
        XCTAssertEqual(onnx.nodes("Add").first?.input.first, "conv2d_0.tmp_0", "the dequantizer became a rename")
        XCTAssertEqual(onnx.nodes("Flatten").first?.input, ["pool2d_1.tmp_0"], "mul flattens before quantizing")
    }

    func testChannelWiseMobileNetHasPerChannelWeightsOnAxis0() throws {
        let zoo = MobileNetV1(numClasses: 10, scale: 0.25)
        let frozen = try ExportFixtures.frozen(zoo, inputShape: [3, 32, 32], weights: .channelWiseAbsMax)
        let onnx = try ONNXExporter().export(frozen.program, params: frozen.params)
        XCTAssertTrue(onnx.nodeTypes.contains("BatchNormalization"))
        XCTAssertTrue(onnx.nodeTypes.contains("GlobalAveragePool") || onnx.nodeTypes.contains("AveragePool"), "\(onnx.nodeTypes)")
        XCTAssertEqual(onnx.quantizedOps, frozen.program.ops.filter { ["conv2d", "depthwise_conv2d", "mul"].contains($0.type) }.count)
        let original = try ExportFixtures.float(zoo, inputShape: [3, 32, 32])
        var depthwise = 0
        for op in frozen.program.ops where op.type == "conv2d" || op.type == "depthwise_conv2d" {
            let w = try XCTUnwrap(op.input("Filter"))
            let dq = try XCTUnwrap(onnx.producer(of: "\(w).dequantized"))
            XCTAssertEqual(dq.attribute("axis")?.i, 0, w)
            let channels = try XCTUnwrap(frozen.program.variable(w), w).shape[0]
            let scales = try XCTUnwrap(onnx.initializer("\(w).scale"))
            XCTAssertEqual(scales.dims, [Int64(channels)])
            XCTAssertEqual(onnx.initializer("\(w).zero_point")?.int8Values, [Int8](repeating: 0, count: channels))
            let values = try XCTUnwrap(original.params[w], w).floats, block = values.count / channels
            for c in [0, channels - 1] {
                let absMax = try XCTUnwrap(values[c * block ..< (c + 1) * block].map(abs).max(), w)
                XCTAssertEqual(scales.floatValues[c], absMax / 127, accuracy: absMax * 1e-6, "\(w) channel \(c)")
            }
            let conv = try XCTUnwrap(onnx.proto.graph.node.first { $0.opType == "Conv" && $0.input.last == dq.output[0] })
            if op.type == "depthwise_conv2d" {
                depthwise += 1
                XCTAssertEqual(conv.attribute("group")?.i, Int64(channels))
            }
        }
        XCTAssertGreaterThan(depthwise, 0)
        let fcWeight = try XCTUnwrap(onnx.producer(of: "fc7_weights.dequantized"))
        XCTAssertNil(fcWeight.attribute("axis"), "mul weights stay per tensor (Paddle 1.6)")
    }

    func testInt8ModelExportsLikeItsFrozenFloatModel() throws {
        let frozen = try ExportFixtures.frozen(LeNet5(numClasses: 10), inputShape: [1, 28, 28], weights: .absMax)
        let int8 = try ExportFixtures.int8(frozen)
        XCTAssertTrue(int8.program.persistables.contains { $0.dtype == .s8 })
        let a = try ONNXExporter().export(frozen.program, params: frozen.params)
        let b = try ONNXExporter().export(int8.program, params: int8.params)
        XCTAssertEqual(a.proto, b.proto, "s8 storage and integer-valued f32 give the same QDQ graph")
    }

    func testAbsMaxActivationsComputeTheirScaleInTheGraph() throws {
        let frozen = try ExportFixtures.frozen(LeNet5(numClasses: 10), inputShape: [1, 28, 28], weights: .absMax, activations: .absMax)
        let onnx = try ONNXExporter().export(frozen.program, params: frozen.params)
        XCTAssertEqual(Array(onnx.nodeTypes.prefix(8)), ["Abs", "ReduceMax", "Max", "Div", "QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "Conv"])
        let reduce = try XCTUnwrap(onnx.nodes("ReduceMax").first)
        XCTAssertEqual(reduce.attribute("keepdims")?.i, 0)
        XCTAssertNil(reduce.attribute("axes"), "max over every element, as fake_quantize_abs_max")
        XCTAssertEqual(onnx.nodes("QuantizeLinear").first?.input[1], onnx.nodes("Div").first?.output[0])
    }

    func testFewerActivationBitsClipToTheirRange() throws {
        let frozen = try ExportFixtures.frozen(LeNet5(numClasses: 10), inputShape: [1, 28, 28], weights: .absMax, activationBits: 4)
        let onnx = try ONNXExporter().export(frozen.program, params: frozen.params)
        XCTAssertEqual(Array(onnx.nodeTypes.prefix(5)), ["Clip", "QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "Conv"])
        let clip = try XCTUnwrap(onnx.nodes("Clip").first)
        XCTAssertEqual(onnx.initializer(clip.input[1])?.floatValues, [-2.5])
        XCTAssertEqual(onnx.initializer(clip.input[2])?.floatValues, [2.5])
        XCTAssertEqual(onnx.initializer(onnx.nodes("QuantizeLinear")[0].input[1])?.floatValues, [2.5 / 7], "bin = 7 for 4 bits")
    }

    func testOpsetChoosesTheIRVersion() throws {
        let model = try ExportFixtures.float(LeNet5(numClasses: 10), inputShape: [1, 28, 28])
        let onnx = try ONNXExporter(opset: 17).export(model.program, params: model.params)
        XCTAssertEqual(onnx.opset, 17)
        XCTAssertEqual(onnx.proto.irVersion, 8)
        XCTAssertThrowsError(try ONNXExporter(opset: 12).export(model.program, params: model.params)) { error in
            XCTAssertTrue("\(error)".contains("opset 12"), "\(error)")
        }
    }
}
