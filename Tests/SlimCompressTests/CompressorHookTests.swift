import Foundation
import XCTest
@testable import SlimCompress

/// The compressor calls the strategies' hooks in PaddleSlim's order and resumes after the newest
/// checkpoint, replaying the strategies' records.
final class CompressorHookTests: XCTestCase {
    func testHooksRunInOrderAndAResumeReplaysTheRecord() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        let first = RecordingStrategy()
        try fixture.compressor(epochs: 2, strategies: [first]).run()
        XCTAssertEqual(first.calls, ["begin", "epoch 0", "batch", "batch end", "batch", "batch end", "epoch 0 end",
                                     "epoch 1", "batch", "batch end", "batch", "batch end", "epoch 1 end", "end"])
        let resumed = RecordingStrategy()
        var lines: [String] = []
        try fixture.compressor(epochs: 3, strategies: [resumed]) { lines.append($0) }.run()
        // The record of epoch 1 was taken at its checkpoint, before "epoch 1 end": 12 calls.
        XCTAssertEqual(resumed.calls, ["restore 12", "begin", "epoch 2", "batch", "batch end", "batch", "batch end", "epoch 2 end", "end"])
        XCTAssertTrue(lines.contains { $0.contains("resuming from") && $0.contains("at epoch 2") }, "\(lines)")
    }

    func testNothingToTrainPastTheLastEpochStillRunsTheBeginHooks() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        try fixture.compressor(epochs: 2, strategies: [RecordingStrategy()]).run()
        let again = RecordingStrategy()
        var lines: [String] = []
        try fixture.compressor(epochs: 1, strategies: [again]) { lines.append($0) }.run()
        XCTAssertEqual(again.calls, ["restore 12", "begin"])
        XCTAssertTrue(lines.contains { $0.contains("nothing to train") }, "\(lines)")
    }
}
