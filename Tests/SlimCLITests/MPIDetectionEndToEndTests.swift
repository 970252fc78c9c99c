import Foundation
import XCTest

extension MPIEndToEndTests {
    /// `slim eval` of a detector under two ranks: the 13 batches of 25 images (the last of one)
    /// are run 7 on rank 0 and 6 on rank 1, the detections gathered in image order, and the mAP
    /// JSON and the predictions file are byte-identical to one process's.
    func testDetectorEvaluationIsSplitAndGathered() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        let made = try slim.run(["dataset", "fashion-voc", "--output", "voc", "--train", "2", "--test", "25", "--canvas", "140"])
        XCTAssertEqual(made.status, 0, made.err)
        try slim.write("model.yml", DetectionEvalInferEndToEndTests.yaml)
        let train = try slim.run(["train", "-c", "model.yml", "-d", "voc"])
        XCTAssertEqual(train.status, 0, train.err)
        func eval(_ name: String) -> [String] {
            ["eval", "-c", "model.yml", "-d", "voc", "--model_path", "out/model/last",
             "--output_eval", "\(name).json", "--output_predictions", "\(name)-predictions.json"]
        }
        let one = try slim.run(eval("one"))
        XCTAssertEqual(one.status, 0, one.err)
        let two = try mpiRun(slim, eval("two"))
        XCTAssertEqual(two.status, 0, two.out + two.err)
        XCTAssertTrue(two.out.contains("rank 0 of 2 ran the model on 7 of 13 batches"), two.out)
        let map = try XCTUnwrap(one.out.split(separator: "\n").first { $0.hasPrefix("mAP(0.50, 11point) = ") }, one.out)
        XCTAssertTrue(two.out.contains(map), two.out)
        XCTAssertNotNil(slim.bytes("one.json"))
        XCTAssertEqual(slim.bytes("one.json"), slim.bytes("two.json"))
        let predictions = try XCTUnwrap(slim.bytes("one-predictions.json"))
        XCTAssertGreaterThan(predictions.count, 1000, "the tiny model keeps many detections")
        XCTAssertEqual(predictions, slim.bytes("two-predictions.json"))
    }
}
