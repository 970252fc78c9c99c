import Foundation
import XCTest

/// Runs the built `slim` binary as a user would, in a temporary working directory.
struct SlimRunner {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let workDir: URL

    init() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("slim-e2e-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: workDir) }

    func path(_ relative: String) -> String { workDir.appendingPathComponent(relative).path }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: path(relative), atomically: true, encoding: .utf8)
    }

    func process(_ args: [String], environment: [String: String] = [:]) -> Process {
        let p = Process()
        p.executableURL = ConfigShowEndToEndTests.slimBinary
        p.arguments = args
        p.currentDirectoryURL = workDir
        p.environment = ProcessInfo.processInfo.environment.merging(["OMP_NUM_THREADS": "1"].merging(environment) { _, new in new }) { _, new in new }
        return p
    }

    /// Runs to completion: exit status, stdout, stderr and how it ended.
    /// - Throws: `ChildProcess.TimedOut` (naming the command) when it runs longer than `timeout`
    ///   seconds; the child is killed, and the calling test fails, not the test process.
    @discardableResult
    func run(_ args: [String], environment: [String: String] = [:],
             timeout: TimeInterval = ChildProcess.defaultTimeout) throws -> ChildProcess.Result {
        try ChildProcess.run(process(args, environment: environment), timeout: timeout)
    }

    func bytes(_ relative: String) -> Data? { FileManager.default.contents(atPath: path(relative)) }

    /// A LeNet model YAML over the first samples of Fashion-MNIST: small enough for debug builds.
    static let tinyModel = """
    architecture: LeNet5
    num_classes: 10
    max_iters: 6
    epoch: 2
    save_dir: out
    seed: 7
    log_iter: 3
    LearningRate:
      base_lr: 0.02
      schedulers:
      - !PiecewiseDecay {gamma: 0.5, milestones: [9]}
    OptimizerBuilder:
      optimizer: {type: Momentum, momentum: 0.9}
      regularizer: {type: L2, factor: 0.0005}
    TrainReader:
      batch_size: 32
      dataset: {type: FashionMNIST, split: train, num_samples: 320}
      transforms:
      - !RandomCrop {size: 28, padding: 2}
      - !Normalize {mean: [0.2860], std: [0.3530]}
    EvalReader:
      batch_size: 100
      dataset: {type: FashionMNIST, split: test, num_samples: 200}
      transforms:
      - !Normalize {mean: [0.2860], std: [0.3530]}

    """

    /// A slim YAML of `epochs` QAT epochs freezing at the last one.
    static func tinySlim(epochs: Int, weight: String = "abs_max", activation: String = "moving_average_abs_max") -> String {
        """
        version: 1.0
        strategies:
          quantization_strategy:
            class: QuantizationStrategy
            start_epoch: 0
            end_epoch: \(epochs - 1)
            float_model_save_path: ./quant/float
            int8_model_save_path: ./quant/int8
            weight_quantize_type: \(weight)
            activation_quantize_type: \(activation)
        compressor:
          epoch: \(epochs)
          checkpoint_path: ./checkpoints/
          strategies: [quantization_strategy]

        """
    }
}
