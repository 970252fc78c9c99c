import SlimGraph
import XCTest

/// `FlopsCounter` (behind `slim calops`) against LeNet-5 counted by hand.
final class FlopsCounterTests: XCTestCase {
    func testLeNetByHand() throws {
        let m = LeNet5().build(inputShape: [1, 28, 28], seed: 1)
        let program = try m.program.pruned(feeds: m.interface.inferenceFeeds, fetches: m.interface.outputVars)
        let counter = FlopsCounter(program: program)
        let convs = counter.layers().filter { $0.type == "conv2d" || $0.type == "mul" }
        // conv 6@5x5 on 28x28 (pad 2): 6*28*28 outputs * 1*5*5; conv 16@5x5 on 14x14: 16*10*10 * 6*5*5;
        // fc 400->120, 120->84, 84->10.
        XCTAssertEqual(convs.map(\.flops), [6 * 28 * 28 * 25, 16 * 10 * 10 * 6 * 25, 400 * 120, 120 * 84, 84 * 10])
        XCTAssertEqual(convs.map(\.params), [6 * 25, 16 * 6 * 25, 400 * 120, 120 * 84, 84 * 10])
        XCTAssertEqual(convs.map(\.outputShape), [[1, 6, 28, 28], [1, 16, 10, 10], [1, 120], [1, 84], [1, 10]])
        XCTAssertEqual(counter.totalFlops, 117_600 + 240_000 + 48_000 + 10_080 + 840)
        XCTAssertEqual(counter.totalParams, 150 + 6 + 2_400 + 16 + 48_000 + 120 + 10_080 + 84 + 840 + 10)
    }

    func testDepthwiseCountsOneInputChannelPerFilter() throws {
        let m = MobileNetV1(scale: 0.25).build(inputShape: [1, 32, 32], seed: 1)
        let counter = FlopsCounter(program: m.program)
        let dw = try XCTUnwrap(counter.layers().first { $0.type == "depthwise_conv2d" })
        // conv2_1_dw: 8 channels on 32x32 (stem stride 1), 3x3, one input channel each.
        XCTAssertEqual(dw.flops, 8 * 32 * 32 * 9)
    }
}
