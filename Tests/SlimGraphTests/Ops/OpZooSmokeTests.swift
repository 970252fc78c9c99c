import XCTest
@testable import SlimGraph
import SlimTensor

/// Every zoo architecture, as the builder emits it, verifies (shape inference of every op) and
/// runs one training step (forward + backward) and an eval pass with the builtin ops.
final class OpZooSmokeTests: XCTestCase {
    func check(_ model: any ZooModel, inputShape: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let built = model.build(inputShape: inputShape, seed: 5)
        try built.program.verify()
        var rng = SeededGenerator(seed: 6)
        let feeds = [built.image: OpTestValues.random([2] + inputShape, &rng), built.label: OpTestValues.labels(2, classes: model.numClasses, &rng)]
        let scope = Scope(built.params)
        let executor = try Executor(program: built.program, seed: 7)
        let train = try executor.run(feeds: feeds, scope: scope, mode: .train)
        XCTAssertTrue(train[built.head.loss]?.floats.first?.isFinite == true, "\(model) loss", file: file, line: line)
        XCTAssertEqual(train[built.head.output]?.shape, [2, model.numClasses], file: file, line: line)
        let grads = try executor.backward(loss: built.head.loss)
        for v in built.program.trainables {
            XCTAssertEqual(grads[v.name]?.shape, v.shape, "\(model): gradient of \(v.name)", file: file, line: line)
            XCTAssertTrue(grads[v.name]?.floats.allSatisfy(\.isFinite) ?? false, "\(model): finite gradient of \(v.name)", file: file, line: line)
        }
        let eval = try executor.run(feeds: feeds, scope: scope, mode: .eval)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(eval[built.head.top1]?.floats.first, file: file, line: line), 0, file: file, line: line)
    }

    func testZooModelsTrainOneStep() throws {
        try check(LeNet5(numClasses: 10, dropout: 0.5), inputShape: [1, 28, 28])
        try check(MobileNetV1(numClasses: 10, scale: 0.25), inputShape: [3, 32, 32])
        try check(try ResNet(numClasses: 10, depth: 20, variant: .cifar), inputShape: [3, 32, 32])
    }
}
