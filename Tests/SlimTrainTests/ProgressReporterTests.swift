import XCTest
@testable import SlimTrain

final class ProgressReporterTests: XCTestCase {
    func testLineFormat() {
        let line = ProgressReporter.format(epoch: 2, epochs: 4, batch: 120, batches: 469, loss: 0.41234, lr: 0.01,
                                           imagesPerSecond: 1523.2, eta: 42)
        XCTAssertEqual(line, "epoch 2/4  batch 120/469  loss 0.4123  lr 0.0100  1523 img/s  ETA 0:42")
        XCTAssertEqual(ProgressReporter.formatDuration(3725), "1:02:05")
    }

    func testLogLinesEveryLogIterWhenNotATerminal() {
        var out: [String] = []
        var now = 0.0
        let reporter = ProgressReporter(epochs: 1, batchesPerEpoch: 5, logIter: 2, window: 2, live: false,
                                        write: { out.append($0) }, clock: { now })
        for batch in 1...5 {
            now += 0.5
            reporter.batchEnded(epoch: 1, batch: batch, images: 64, loss: 1, lr: 0.1)
        }
        XCTAssertEqual(out.count, 3, "batches 2, 4 and the last")
        XCTAssertTrue(out[0].hasSuffix("128 img/s  ETA 0:02\n"), out[0])
        XCTAssertTrue(out[2].contains("batch 5/5") && out[2].hasSuffix("ETA 0:00\n"), out[2])
    }

    func testLiveLineRedrawsAndSummaryEndsIt() {
        var out = ""
        let reporter = ProgressReporter(epochs: 1, batchesPerEpoch: 3, live: true, write: { out += $0 }, clock: { 1 })
        reporter.batchEnded(epoch: 1, batch: 1, images: 8, loss: 2, lr: 0.1)
        reporter.summary(TrainingSummary.format(epochs: 1, batches: 3, images: 24, seconds: 2, best: (0.5, 1)))
        XCTAssertTrue(out.hasPrefix("\repoch 1/1  batch 1/3"))
        XCTAssertTrue(out.hasSuffix("\ntrained 1 epoch (3 batches, 24 images) in 0:02  12 img/s  best top1 0.5000 (epoch 1)\n"), out)
    }
}
