import Foundation
import SlimGraph
import SlimONNX
import SlimQuant
import SlimTensor
import SlimTrain

/// Freezes a QAT eval model into the variants PaddleSlim saves: `float` (QuantizationFreezePass:
/// integer-valued f32 weights, fixed activation scales, one dequantize after each quantized op)
/// and `int8` (ConvertToInt8Pass: the same graph with s8 weight storage), each as a model
/// directory with Paddle's frozen file names `model` + `weights`; and, on request, the int8
/// variant as QDQ ONNX (`MobileModel`).
public struct FrozenModels {
    public var scheme: QuantizationScheme
    /// Residual adds of the int8 variant summed on integers (`ConvertToInt8Pass.integerResiduals`).
    public var integerResiduals = false

    public init(_ scheme: QuantizationScheme = QuantizationScheme(), integerResiduals: Bool = false) {
        self.scheme = scheme
        self.integerResiduals = integerResiduals
    }

    /// The frozen float program and parameters of a QAT program.
    public func frozen(_ program: Program, params: [String: Tensor]) throws -> (program: Program, params: [String: Tensor]) {
        var p = program, w = params
        try QuantizationFreezePass(scheme).apply(to: &p, params: &w)
        return (p, w)
    }

    /// The int8 variant of a frozen program.
    public func int8(_ frozen: (program: Program, params: [String: Tensor])) throws -> (program: Program, params: [String: Tensor]) {
        var p = frozen.program, w = frozen.params
        try ConvertToInt8Pass(integerResiduals: integerResiduals).apply(to: &p, params: &w)
        return (p, w)
    }

    /// Freezes and writes `floatPath` and `int8Path` (model directories) and `mobilePath` (the int8
    /// model as QDQ ONNX, `MobileModel`); any may be nil to skip it. The ONNX export is made before
    /// anything is written, so a model ONNX cannot express leaves no files behind.
    /// - Parameter mobileSkipped: when given, a model ONNX cannot express (`ONNXExportError`)
    ///   skips `mobilePath` (reported to it) instead of failing the whole save.
    /// Under `mpirun` only rank 0 writes; the others write nothing and wait until rank 0 has
    /// written (they may read the models next).
    /// - Returns: the paths written.
    @discardableResult
    public func save(_ program: Program, params: [String: Tensor], floatPath: String?, int8Path: String?,
                     mobilePath: String? = nil, mobileSkipped: ((ONNXExportError) -> Void)? = nil) throws -> [String] {
        let written = MPIWorld.isRoot ? try write(program, params: params, floatPath: floatPath, int8Path: int8Path,
                                                  mobilePath: mobilePath, mobileSkipped: mobileSkipped) : []
        try MPIWorld.shared()?.barrier("the saved models")
        return written
    }

    private func write(_ program: Program, params: [String: Tensor], floatPath: String?, int8Path: String?,
                       mobilePath: String?, mobileSkipped: ((ONNXExportError) -> Void)?) throws -> [String] {
        let float = try frozen(program, params: params)
        let integer = int8Path != nil || mobilePath != nil ? try int8(float) : nil
        var mobile: MobileModel?
        if mobilePath != nil, let integer {
            do {
                mobile = try MobileModel(int8: integer.program, params: integer.params)
            } catch let error as ONNXExportError {
                guard let mobileSkipped else { throw error }
                mobileSkipped(error)
            }
        }
        var written: [String] = []
        if let floatPath {
            try ModelFile.save(program: float.program, params: float.params, to: floatPath,
                               modelName: ModelFile.frozenNames.model, paramsName: ModelFile.frozenNames.params)
            written.append(floatPath)
        }
        if let int8Path, let integer {
            try ModelFile.save(program: integer.program, params: integer.params, to: int8Path,
                               modelName: ModelFile.frozenNames.model, paramsName: ModelFile.frozenNames.params)
            written.append(int8Path)
        }
        if let mobilePath, let mobile { written.append(try mobile.save(to: mobilePath)) }
        return written
    }
}
