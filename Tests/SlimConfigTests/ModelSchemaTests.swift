import XCTest
@testable import SlimConfig

/// Compiler-style tests: inline model YAML, expected `line:col` and message.
final class ModelSchemaTests: XCTestCase {
    private func load(_ yaml: String, overrides: [String] = []) throws -> ModelConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("m.yml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try ModelConfig.load(path: file.path, overrides: overrides)
    }

    private func expect(_ yaml: String, overrides: [String] = [], _ expected: [(Int, Int, String)],
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(yaml, overrides: overrides), file: file, line: line) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.diagnostics.count, expected.count, "\(e)", file: file, line: line)
            for (d, (l, c, text)) in zip(e.diagnostics, expected) {
                XCTAssertEqual([d.mark.line, d.mark.column], [l, c], "\(e)", file: file, line: line)
                XCTAssertTrue(d.description.contains(text), "expected '\(text)' in\n\(d)", file: file, line: line)
            }
        }
    }

    func testUnknownKeyGetsASuggestion() {
        expect("architecture: LeNet5\nLearningRate:\n  bas_lr: 0.1\n", [(3, 3, "unknown key 'bas_lr' in LearningRate\n    bas_lr: 0.1\n    ^\nnote: did you mean 'base_lr'?")])
        expect("architecture: LeNet5\nmax_iter: 10\n", [(2, 1, "did you mean 'max_iters'?")])
    }

    func testTypeMismatch() {
        expect("architecture: LeNet5\nmax_iters: lots\nTrainReader:\n  batch_size: [1]\n",
               [(2, 12, "max_iters expects int, found a string"), (4, 15, "TrainReader.batch_size expects int, found a list")])
    }

    func testUnknownTagListsTheValidOnes() {
        expect("architecture: LeNet5\nLearningRate:\n  schedulers:\n  - !PiecewiseDeca {gamma: 0.1}\n",
               [(4, 5, "unknown tag '!PiecewiseDeca' for LearningRate.schedulers")])
        expect("architecture: LeNet5\nOptimizerBuilder:\n  optimizer: {type: Momentun}\n",
               [(3, 21, "did you mean 'Momentum'?")])
    }

    func testTaggedOptionsAreCheckedToo() {
        expect("architecture: LeNet5\nLearningRate:\n  schedulers:\n  - !LinearWarmup {step: 10}\n",
               [(4, 20, "unknown key 'step' in LinearWarmup")])
    }

    func testArchitectureIsRequiredAndKnown() {
        expect("max_iters: 1\n", [(1, 1, "missing required global 'architecture'")])
        expect("architecture: LeNet\n", [(1, 15, "did you mean 'LeNet5'?")])
    }

    func testFeedIndirectionNamesTheReaderSection() throws {
        let config = try load("architecture: LeNet5\ntrain_feed: LeNetTrainFeed\nLeNetTrainFeed:\n  batch_size: 32\n",
                              overrides: ["LeNetTrainFeed.batch_size=64"])
        XCTAssertEqual(config.node("LeNetTrainFeed.batch_size")?.scalarValue, .int(64))
        expect("architecture: LeNet5\ntrain_feed: LeNetTrainFeed\nLeNetTrainFeed:\n  batchsize: 32\n",
               [(4, 3, "unknown key 'batchsize' in LeNetTrainFeed")])
    }

    func testOptimizerByTypeKeyAndByTagBothLoad() throws {
        _ = try load("architecture: LeNet5\nOptimizerBuilder:\n  optimizer: !Adam {beta1: 0.8}\n  regularizer: {type: L2, factor: 0.001}\n")
        _ = try load("architecture: LeNet5\nOptimizerBuilder:\n  optimizer: {type: Momentum, momentum: 0.9}\n  regularizer: !L2Decay {factor: 0.001}\n")
    }

    func testAllErrorsAreReportedSorted() {
        expect("foo: 1\narchitecture: LeNet5\nbar: 2\n", [(1, 1, "'foo'"), (3, 1, "'bar'")])
    }
}
