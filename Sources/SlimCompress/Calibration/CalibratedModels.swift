import Foundation
import SlimGraph
import SlimQuant
import SlimTensor
import SlimTrain

/// Post-training quantization of a float inference model into the variants `slim calibrate` and
/// `PostTrainingQuantizationStrategy` save: the calibrated fake-quant eval model
/// (`__model__`/`__params__`, loadable by `slim freeze` and `slim eval`), and through
/// `FrozenModels` the frozen `float` and the `int8` model (`model`/`weights`).
public struct CalibratedModels {
    public var quantization: PostTrainingQuantization
    /// Residual adds of the int8 model summed on integers (`FrozenModels.integerResiduals`).
    public var integerResiduals = false

    public init(_ quantization: PostTrainingQuantization) { self.quantization = quantization }

    /// Observes `program` (image -> output, FP32) on `batches` and returns its QAT eval program with
    /// the calibrated scales in the parameters.
    public func quantize(_ program: Program, params: [String: Tensor], batches: some CalibrationBatches) throws
        -> (program: Program, params: [String: Tensor], result: CalibrationResult) {
        let result = try quantization.calibrate(program, params: params, batches: batches, reduction: try CalibrationReduction.current())
        var qat = program, qatParams = params
        try quantization.apply(result, to: &qat, params: &qatParams)
        return (qat, qatParams.filter { qat.variable($0.key)?.persistable == true }, result)
    }

    /// Writes the eval model to `evalPath` and the frozen float and int8 models (any path may be
    /// nil); under `mpirun` rank 0 writes and every rank returns once the files are in place.
    /// - Returns: the paths written.
    @discardableResult
    public func save(_ program: Program, params: [String: Tensor], evalPath: String?, floatPath: String?, int8Path: String?) throws -> [String] {
        var written: [String] = []
        if let evalPath, MPIWorld.isRoot {   // under mpirun rank 0 writes (FrozenModels waits for it)
            try ModelFile.save(program: program, params: params, to: evalPath)
            written.append(evalPath)
        }
        let frozen = FrozenModels(quantization.scheme, integerResiduals: integerResiduals)
        return written + (try frozen.save(program, params: params, floatPath: floatPath, int8Path: int8Path))
    }

    /// One line per activation: its threshold (and for `mix` the method it came from), in `order`.
    public static func summary(_ result: CalibrationResult, order: [String]) -> String {
        order.compactMap { name in
            result.scales[name].map { s in
                "  \(name): s = \(String(format: "%.5g", Double(s)))" + (result.zeroPoints[name].map { ", zero point \($0)" } ?? "")
                    + (result.choices[name].map { " (\($0.rawValue))" } ?? "")
            }
        }.joined(separator: "\n")
    }
}
