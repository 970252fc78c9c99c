import Foundation
import SlimGraph
import SlimTensor
import XCTest
@testable import SlimTrain

/// A 1-channel classifier as `pretrain_weights` of a 3-channel model: the picture's conv gets the
/// gray filter spread over the channels, so a gray picture copied to RGB gives the gray model's output.
final class PretrainedGrayFilterTests: XCTestCase {
    func testGrayFilterSpreadsOverThePicturesChannels() throws {
        let gray = MobileNetV1(numClasses: 10, scale: 0.25).build(inputShape: [1, 32, 32], seed: 1)
        let grayProgram = try gray.program.pruned(feeds: [gray.image], fetches: [gray.head.output])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gray-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try ModelFile.save(program: grayProgram, params: gray.params.filter { grayProgram.variable($0.key)?.persistable == true }, to: dir)

        let rgb = MobileNetV1(numClasses: 10, scale: 0.25).build(inputShape: [3, 32, 32], seed: 2)
        let session = try TrainingSession(model: rgb, optimizer: SGD(), schedule: ConstantLR(0.1), seed: 0)
        var lines: [String] = []
        let loaded = try session.loadPretrained(from: dir) { lines.append($0) }
        XCTAssertEqual(loaded.count, session.program.persistables.count, "every var, conv1_weights adapted")
        XCTAssertTrue(lines.contains("conv1_weights: the file's 1-channel filter spread over the picture's 3 channels (1/3 each)\n"), "\(lines)")
        XCTAssertFalse(lines.contains { $0.hasPrefix("warning") }, "\(lines)")

        let filter = try XCTUnwrap(session.scope.tensors["conv1_weights"]).floats
        let original = try XCTUnwrap(gray.params["conv1_weights"]).floats
        for o in 0..<8 {
            for c in 0..<3 {
                for k in 0..<9 {
                    let adapted: Int = (o * 3 + c) * 9 + k, source: Int = o * 9 + k
                    XCTAssertEqual(filter[adapted], original[source] / Float(3))
                }
            }
        }

        let picture: [Float] = (0..<(32 * 32)).map { (i: Int) -> Float in Float((i * 37) % 101) / 50 - 1 }
        let replicated: [Float] = picture + picture + picture
        let (program, params) = try session.inferenceModel()
        let rgbOut = try Executor(program: program, seed: 0).run(
            feeds: [rgb.image: Tensor(shape: [1, 3, 32, 32], floats: replicated)], scope: Scope(params), mode: .eval)
        let grayOut = try Executor(program: grayProgram, seed: 0).run(
            feeds: [gray.image: Tensor(shape: [1, 1, 32, 32], floats: picture)], scope: Scope(gray.params), mode: .eval)
        let a = try XCTUnwrap(rgbOut[rgb.head.output]).floats, b = try XCTUnwrap(grayOut[gray.head.output]).floats
        XCTAssertEqual(a.count, 10)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-4 * max(1, abs(y))) }
    }
}
