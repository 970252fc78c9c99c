import XCTest
@testable import SlimConfig

final class OverrideTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let lenet = repoRoot.appendingPathComponent("examples/lenet_fashion_mnist/model.yml").path

    func testTheFourOverridesOfTheSeedMerge() throws {
        let config = try ModelConfig.load(path: lenet, overrides: [
            "max_iters=258", "LearningRate.base_lr=0.0001",
            "LearningRate.schedulers=[!PiecewiseDecay {gamma: 0.1, milestones: [258, 516]}]",
            "TrainReader.batch_size=64",
        ])
        XCTAssertEqual(config.node("max_iters")?.scalarValue, .int(258))
        XCTAssertEqual(config.node("LearningRate.base_lr")?.scalarValue, .float(0.0001))
        let schedulers = try XCTUnwrap(config.node("LearningRate.schedulers")?.items)
        XCTAssertEqual(schedulers.count, 1)
        XCTAssertEqual(schedulers[0].tag, "!PiecewiseDecay")
        XCTAssertEqual(schedulers[0]["milestones"]?.items?.map(\.scalarValue), [.int(258), .int(516)])
        XCTAssertEqual(config.node("TrainReader.batch_size")?.scalarValue, .int(64))
        XCTAssertEqual(config.node("TrainReader.shuffle")?.scalarValue, .bool(true), "siblings are kept")
        let yaml = config.yaml()
        XCTAssertTrue(yaml.contains("- !PiecewiseDecay {gamma: 0.1, milestones: [258, 516]}"), yaml)
        XCTAssertTrue(yaml.contains("batch_size: 64  # overridden by -o"), yaml)
        XCTAssertTrue(yaml.contains("batch_size: 256\n"), "EvalReader untouched:\n\(yaml)")
    }

    func testThreeLevelKeysKeepSiblings() throws {
        let config = try ModelConfig.load(path: lenet, overrides: ["EvalReader.dataset.num_samples=100", "TrainReader.dataset.split=test"])
        XCTAssertEqual(config.node("EvalReader.dataset.num_samples")?.scalarValue, .int(100))
        XCTAssertEqual(config.node("EvalReader.dataset.split")?.scalarValue, .string("test"))
        XCTAssertEqual(config.node("TrainReader.dataset.split")?.scalarValue, .string("test"))
        XCTAssertEqual(config.node("TrainReader.dataset.type")?.scalarValue, .string("FashionMNIST"))
    }

    func testNewDeepKeysAreCreatedAndKeepEachOther() throws {
        var root = Node(.mapping([]), mark: SourceMark(file: "t", line: 1, column: 1))
        for (i, text) in ["A.B.C=1", "A.B.D=2"].enumerated() {
            let o = try Override(text, index: i)
            try root.merge(o.value, at: o.path[...], keyMarks: o.keyMarks[...])
        }
        XCTAssertEqual(root["A"]?["B"]?.keys, ["C", "D"], "PaddleDetection lost the first; we keep both")
    }

    func testMappingValueMergesIntoAMapping() throws {
        let config = try ModelConfig.load(path: lenet, overrides: ["OptimizerBuilder.optimizer={momentum: 0.8}"])
        XCTAssertEqual(config.node("OptimizerBuilder.optimizer.momentum")?.scalarValue, .float(0.8))
        XCTAssertEqual(config.node("OptimizerBuilder.optimizer.type")?.scalarValue, .string("Momentum"))
    }

    func testBadOverridesArePositionedInTheOverrideText() {
        XCTAssertThrowsError(try ModelConfig.load(path: lenet, overrides: ["max_iters=1", "LearningRate.base_lr=[1, 2"])) { error in
            let d = (error as? ConfigError)?.diagnostics.first
            XCTAssertEqual(d?.mark, SourceMark(file: "-o #2", line: 1, column: 27), "just past the end, where the closing bracket is missing")
            XCTAssertTrue("\(error)".hasPrefix("-o #2:1:27: error: YAML syntax"), "\(error)")
        }
        XCTAssertThrowsError(try ModelConfig.load(path: lenet, overrides: ["novalue"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("-o #1:1:1: error: override must be KEY=VALUE"), "\(error)")
        }
        XCTAssertThrowsError(try ModelConfig.load(path: lenet, overrides: ["max_iters.x=1"])) { error in
            XCTAssertTrue("\(error)".contains("cannot set 'x' inside an integer"), "\(error)")
        }
    }

    func testOverrideColumnsPointIntoTheWholeText() throws {
        let o = try Override("LearningRate.base_lr=0.5", index: 0)
        XCTAssertEqual(o.path, ["LearningRate", "base_lr"])
        XCTAssertEqual(o.value.mark, SourceMark(file: "-o #1", line: 1, column: 22))
    }

    func testEveryExampleAndStrategyFileParses() throws {
        let fm = FileManager.default
        var files: [String] = []
        for dir in ["examples", "strategies"] {
            let base = Self.repoRoot.appendingPathComponent(dir)
            for case let rel as String in fm.enumerator(atPath: base.path) ?? NSEnumerator() where rel.hasSuffix(".yml") || rel.hasSuffix(".yaml") {
                files.append(base.appendingPathComponent(rel).path)
            }
        }
        XCTAssertFalse(files.isEmpty)
        for file in files { XCTAssertNoThrow(try YAMLReader.read(path: file), file) }
    }
}
