import Foundation
import SlimConfig
import XCTest
@testable import SlimCompress

/// A temporary folder with a tiny LeNet model YAML (the first samples of Fashion-MNIST) and a
/// slim YAML, and compressors built from them.
struct CompressorFixture {
    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("slim-compress-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try write("model.yml", """
            architecture: LeNet5
            num_classes: 10
            max_iters: 2
            seed: 3
            LearningRate: {base_lr: 0.01}
            OptimizerBuilder: {optimizer: {type: Momentum, momentum: 0.9}}
            TrainReader: {batch_size: 16, dataset: {type: FashionMNIST, split: train, num_samples: 64}}
            EvalReader: {batch_size: 32, dataset: {type: FashionMNIST, split: test, num_samples: 32}}

            """)
    }

    func path(_ relative: String) -> String { (dir as NSString).appendingPathComponent(relative) }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: path(relative), atomically: true, encoding: .utf8)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: dir) }

    /// A compressor of `epochs` epochs with no slim-YAML strategies, running `strategies`.
    func compressor(epochs: Int, strategies: [any Strategy] = [], log: @escaping (String) -> Void = { _ in }) throws -> Compressor {
        try write("slim.yaml", """
            compressor: {epoch: \(epochs), checkpoint_path: \(path("checkpoints"))}

            """)
        return try Compressor(compression: try CompressionConfig.load(path: path("slim.yaml")),
                              model: try ModelConfig.load(path: path("model.yml")), strategies: strategies, log: log)
    }
}

/// A strategy that writes down every hook call.
final class RecordingStrategy: Strategy {
    let name: String
    var calls: [String] = []
    var fingerprintText = "Recording(1)"

    init(name: String = "recording") { self.name = name }

    var fingerprint: String { fingerprintText }
    func onCompressionBegin(_ context: CompressionContext) throws { calls.append("begin") }
    func onEpochBegin(_ context: CompressionContext) throws { calls.append("epoch \(context.epoch)") }
    func onBatchBegin(_ context: CompressionContext) throws { calls.append("batch") }
    func onBatchEnd(_ context: CompressionContext) throws { calls.append("batch end") }
    func onEpochEnd(_ context: CompressionContext) throws { calls.append("epoch \(context.epoch) end") }
    func onCompressionEnd(_ context: CompressionContext) throws { calls.append("end") }
    func record() -> [String: String] { ["calls": String(calls.count)] }
    func restore(_ record: [String: String], context: CompressionContext) throws { calls.append("restore \(record["calls"] ?? "-")") }
}
