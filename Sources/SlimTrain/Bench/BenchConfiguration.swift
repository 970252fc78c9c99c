import Foundation
import SlimQuant
import SlimTensor

/// One configuration `slim bench` measures: a model, what a step does, the batch, the threads,
/// and how many steps are warm-up and how many are timed.
public struct BenchConfiguration: Equatable, Sendable {
    /// What one step is.
    public enum Mode: String, CaseIterable, Sendable {
        /// Forward in train mode, backward, Momentum update (`TrainingSession.trainBatch`).
        case train
        /// Eval-mode forward of the inference output (softmax probabilities).
        case infer
        /// A `train` step of the program after `QuantizationTransformPass` (`quantization`):
        /// fake quantization of the conv and mul inputs, straight-through gradients, scale updates.
        case qat
    }

    /// The arithmetic of the kernels.
    public enum Precision: String, CaseIterable, Sendable {
        case fp32, int8
    }

    /// Where the batches come from.
    public enum DataSource: String, CaseIterable, Sendable {
        /// One seeded random batch, reused every step (kernels only).
        case synthetic
        /// Fashion-MNIST through the real `DataLoader` (LeNet only), so loader cost shows.
        case real
    }

    public var target: BenchTarget
    public var mode: Mode
    /// `nil`: fp32 for zoo models, the stored precision for a model directory.
    public var precision: Precision?
    public var batch: Int
    public var threads: Int
    public var steps: Int
    public var warmup: Int
    public var data: DataSource
    public var seed: UInt64
    /// Directory of the Fashion-MNIST IDX files for `--data real`.
    public var dataDirectory: String
    /// The detector's image side (`--image_size`, a multiple of 32); nil: 416. Classifiers take none.
    public var imageSize: Int?
    /// The detector's width multiplier (`--scale`, backbone and head as `MobileNet.scale`); 1 for the classifiers.
    public var scale: Double
    /// The scheme of `--mode qat` (`--weight_quantize_type`, `--activation_quantize_type`).
    public var quantization: QuantizationScheme
    /// Time every op of the timed steps (`BenchResult.profile`).
    public var profile = false
    /// Also save the inference model of a zoo workload (`--save_model`): the FP32 inference
    /// program, or the INT8 model after `ConvertToInt8Pass` (what `slim freeze` writes to int8/).
    public var saveModel: String?
    /// INT8 zoo workloads: residual adds summed on integers (`ConvertToInt8Pass.integerResiduals`, `--int8_residual`).
    public var integerResiduals = false
    /// INT8 zoo workloads: weight bits (`--weight_bits`; 7 lets CPUs without VNNI run signed
    /// activations in one convolution, `Int8EvenWeights`).
    public var int8WeightBits = 8

    public init(target: BenchTarget, mode: Mode, precision: Precision? = nil, batch: Int = 64, threads: Int = 2,
                steps: Int = 20, warmup: Int = 5, data: DataSource = .synthetic, seed: UInt64 = 1,
                dataDirectory: String = IDXDataset.defaultFashionMNISTDirectory, imageSize: Int? = nil,
                scale: Double = 1, quantization: QuantizationScheme = BenchConfiguration.qatScheme) {
        self.target = target
        self.mode = mode
        self.precision = precision
        self.batch = batch
        self.threads = threads
        self.steps = steps
        self.warmup = warmup
        self.data = data
        self.seed = seed
        self.dataDirectory = dataDirectory
        self.imageSize = imageSize
        self.scale = scale
        self.quantization = quantization
    }

    /// The default scheme of `--mode qat`: channel_wise_abs_max weights, moving_average_abs_max activations.
    public static let qatScheme = QuantizationScheme(weightQuantizeType: .channelWiseAbsMax, activationQuantizeType: .movingAverageAbsMax)

    /// Checks the options against each other.
    /// - Throws: `BenchError` `.usage` naming the option at fault.
    public func validate() throws {
        guard batch > 0 else { throw BenchError(.usage, "--batch must be > 0, got \(batch)") }
        guard (1...Kernels.threadLimit).contains(threads) else {
            throw BenchError(.usage, "--threads must be in 1...\(Kernels.threadLimit), got \(threads)")
        }
        guard steps > 0 else { throw BenchError(.usage, "--steps must be > 0, got \(steps)") }
        guard warmup >= 0 else { throw BenchError(.usage, "--warmup must be >= 0, got \(warmup)") }
        if data == .real && target != .zoo(.lenet) {
            throw BenchError(.usage, "--data real is for lenet only (Fashion-MNIST is 1x28x28)",
                             hints: ["use --data synthetic for \(target.label)"])
        }
        try validateDetector()
        if case let .directory(path) = target {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw BenchError(.usage, "--model '\(path)' is neither a zoo model nor a model directory",
                                 hints: ["zoo models: \(BenchModel.allCases.map(\.rawValue).joined(separator: ", "))"])
            }
        }
        if integerResiduals {
            try checkInt8BuildOption("--int8_residual", hint: "save one with slim freeze --int8_residual or slim bench --int8_residual --save_model DIR")
        }
        if int8WeightBits != 8 {
            guard (2...8).contains(int8WeightBits) else { throw BenchError(.usage, "--weight_bits must be in 2...8, got \(int8WeightBits)") }
            try checkInt8BuildOption("--weight_bits", hint: "quantize one with slim calibrate --weight_bits N or slim freeze --weight_bits N")
        }
        if case .directory = target, mode != .infer {
            throw BenchError(.usage, "a saved model directory is benchmarked for inference only",
                             hints: ["use --mode infer, or a zoo model (\(BenchModel.allCases.map(\.rawValue).joined(separator: ", "))) for training"])
        }
    }

    /// An option of the INT8 model slim builds from a zoo model: `--mode infer --dtype int8` of a
    /// zoo model only (a saved model runs as it was written; `hint` says how to save one).
    private func checkInt8BuildOption(_ option: String, hint: String) throws {
        if case .directory = target {
            throw BenchError(.usage, "\(option) applies when slim builds the INT8 model (a zoo model); a saved model runs as it was written",
                             hints: [hint])
        }
        guard precision == .int8, mode == .infer else { throw BenchError(.usage, "\(option) is for --mode infer --dtype int8") }
    }

    /// `--image_size` (a positive multiple of 32) and `--scale` (in (0, 16]) are the detector's;
    /// the detector trains in FP32 and infers in FP32 or INT8.
    private func validateDetector() throws {
        let detector = target == .zoo(.yolov3MobileNetV1)
        if scale != 1 {
            guard detector else { throw BenchError(.usage, "--scale is for yolov3_mbv1; \(target.label) has fixed widths") }
            guard scale > 0 && scale <= 16 else { throw BenchError(.usage, "--scale must be in (0, 16], got \(scale)") }
        }
        if let imageSize {
            guard detector else {
                throw BenchError(.usage, "--image_size is for yolov3_mbv1; \(target.label) has a fixed input shape")
            }
            guard imageSize > 0, imageSize % 32 == 0 else {
                throw BenchError(.usage, "--image_size must be a positive multiple of 32, got \(imageSize)", hints: ["e.g. 320, 416 or 608"])
            }
        }
        if detector && mode == .qat {
            throw BenchError(.usage, "yolov3_mbv1 has no QAT step benchmark", hints: ["use --mode train, or --mode infer --dtype int8"])
        }
        if detector && mode == .train && precision == .int8 {
            throw BenchError(.usage, "--dtype int8 is for inference; the detector trains in FP32", hints: ["use --mode infer --dtype int8"])
        }
    }
}
