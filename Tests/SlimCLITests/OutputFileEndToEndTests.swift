import Foundation
import SlimQuant
import SlimTrain
import XCTest

/// The files an option names (`--output_eval`, `--output_predictions`, `--output_compare`): a
/// write that fails is an I/O error (exit 74) naming the option and the path.
final class OutputFileEndToEndTests: XCTestCase {
    func testUnwritableOutputFilesExit74NamingThePath() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.saveZooModel("LeNet5", numClasses: 10, to: "model")
        try slim.write("model.yml", """
        architecture: LeNet5
        EvalReader:
          batch_size: 4
          dataset: {type: FashionMNIST, split: test, num_samples: 8}

        """)
        let eval = ["eval", "--model_path", "model", "-c", "model.yml"]
        let cases: [(args: [String], option: String, path: String, reason: String)] = [
            (["--output_eval", "."], "--output_eval", ".", "it is a directory"),
            (["--output_eval", "no/such/dir/e.json"], "--output_eval", "no/such/dir/e.json", "No such file or directory"),
            (["--output_predictions", "model.yml/p.jsonl"], "--output_predictions", "model.yml/p.jsonl", "Not a directory"),
            (["--compare_with", "model", "--output_compare", "model"], "--output_compare", "model", "it is a directory"),
        ]
        for c in cases {
            let r = try slim.run(eval + c.args)
            XCTAssertEqual(r.status, 74, "\(c.args): \(r.err)")
            XCTAssertTrue(r.err.contains("error: cannot write the \(c.option) file '\(c.path)'"), "\(c.args): \(r.err)")
            XCTAssertTrue(r.err.contains(c.reason), "\(c.args): \(r.err)")
        }
        XCTAssertNotNil(slim.bytes("model.yml"), "the file in the way is left alone")
        let ok = try slim.run(eval + ["--output_eval", "e.json"])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertNotNil(slim.bytes("e.json"))
    }
}
