import SlimGraph
import SlimQuant
import SlimTensor
@testable import SlimONNX

/// Zoo programs in the forms `slim export` reads: the float inference program, its frozen
/// (QuantizationFreezePass) and int8 (ConvertToInt8Pass) variants.
enum ExportFixtures {
    struct Model {
        var program: Program
        var params: [String: Tensor]
    }

    /// The inference program (image -> softmax) of `zoo` with its initial parameters.
    static func float(_ zoo: any ZooModel, inputShape: [Int], seed: UInt64 = 3) throws -> Model {
        let built = zoo.build(inputShape: inputShape, seed: seed)
        return Model(program: try built.program.pruned(feeds: [built.image], fetches: [built.head.output]), params: built.params)
    }

    /// The frozen program of `zoo` after the transform pass, with activation scales set to `activationScale`.
    static func frozen(_ zoo: any ZooModel, inputShape: [Int], weights: WeightQuantizeType,
                       activations: ActivationQuantizeType = .movingAverageAbsMax, activationBits: Int = 8,
                       activationScale: Float = 2.5) throws -> Model {
        SlimQuant.registerOps()
        var model = try qat(zoo, inputShape: inputShape, weights: weights, activations: activations, activationBits: activationBits)
        for v in model.program.persistables where v.name.hasSuffix(".scale") && v.shape == [1] {
            model.params[v.name] = Tensor(shape: [1], floats: [activationScale])
        }
        try QuantizationFreezePass(QuantizationScheme(activationBits: activationBits, weightQuantizeType: weights)).apply(to: &model.program, params: &model.params)
        return model
    }

    /// The QAT eval program of `zoo` (fake quantize -> fake dequantize pairs).
    static func qat(_ zoo: any ZooModel, inputShape: [Int], weights: WeightQuantizeType,
                    activations: ActivationQuantizeType = .movingAverageAbsMax, activationBits: Int = 8) throws -> Model {
        SlimQuant.registerOps()
        var model = try float(zoo, inputShape: inputShape)
        try QuantizationTransformPass(QuantizationScheme(weightBits: 8, activationBits: activationBits, weightQuantizeType: weights,
                                      activationQuantizeType: activations)).apply(to: &model.program, params: &model.params)
        return model
    }

    /// `frozen` with s8 weights.
    static func int8(_ frozen: Model) throws -> Model {
        var model = frozen
        try ConvertToInt8Pass().apply(to: &model.program, params: &model.params)
        return model
    }
}

extension ONNXModel {
    /// The graph's initializer named `name`.
    func initializer(_ name: String) -> Onnx_TensorProto? { proto.graph.initializer.first { $0.name == name } }

    /// The graph's nodes of type `type`, in order.
    func nodes(_ type: String) -> [Onnx_NodeProto] { proto.graph.node.filter { $0.opType == type } }

    /// The node writing `value`.
    func producer(of value: String) -> Onnx_NodeProto? { proto.graph.node.first { $0.output.contains(value) } }
}

extension Onnx_TensorProto {
    var floatValues: [Float] {
        rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    var int8Values: [Int8] {
        rawData.withUnsafeBytes { Array($0.bindMemory(to: Int8.self)) }
    }
}

extension Onnx_NodeProto {
    func attribute(_ name: String) -> Onnx_AttributeProto? { attribute.first { $0.name == name } }
}
