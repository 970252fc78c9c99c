import XCTest
@testable import SlimConfig

final class LookupTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testValuesComeFromTheFileTheOverridesOrTheRegistryDefaults() throws {
        let path = Self.repoRoot.appendingPathComponent("examples/lenet_fashion_mnist/model.yml").path
        let config = try ModelConfig.load(path: path, overrides: ["TrainReader.batch_size=64"])
        XCTAssertEqual(try config.int("max_iters"), 469)
        XCTAssertEqual(try config.int("TrainReader.batch_size"), 64)
        XCTAssertEqual(try config.double("LearningRate.base_lr"), 0.05)
        XCTAssertEqual(try config.int("threads"), 0, "registry default")
        XCTAssertEqual(try config.int("EvalReader.prefetch"), 2, "reader default")
        XCTAssertEqual(try config.bool("EvalReader.shuffle"), false, "eval readers do not shuffle by default")
        XCTAssertEqual(try config.int("TrainReader.dataset.num_samples"), -1, "nested module default")
        XCTAssertEqual(try config.string("architecture"), "LeNet5")
        XCTAssertEqual(config.readerSection(.train), "TrainReader")
        XCTAssertThrowsError(try config.int("architecture"))
    }
}
