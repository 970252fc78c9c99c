import Foundation
import XCTest

/// Option values and named files that are wrong: usage errors (64) and I/O errors (74) naming
/// what is wrong, never a trap.
final class CommandInputsEndToEndTests: XCTestCase {
    var slim: SlimRunner!

    override func setUpWithError() throws {
        slim = try SlimRunner()
        addTeardownBlock { [slim] in slim?.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yml", SlimRunner.tinySlim(epochs: 1))
        try slim.saveZooModel("LeNet5", numClasses: 10, to: "model")
    }

    private func assertStatus(_ expected: Int32, _ args: [String], _ fragments: [String],
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try slim.run(args)
        XCTAssertEqual(r.status, expected, "\(args): \(r.err)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(r.err.contains(fragment), "\(args): '\(fragment)' missing in: \(r.err)", file: file, line: line)
        }
    }

    func testThreadsOutOfRangeIsAUsageErrorOnEveryCommand() throws {
        let commands: [[String]] = [
            ["train", "-c", "model.yml"], ["compress", "-s", "slim.yml", "-c", "model.yml"],
            ["eval", "--model_path", "model", "-c", "model.yml"], ["infer", "--model_path", "model", "-c", "model.yml", "--infer_img", "x.png"],
            ["calibrate", "--model_path", "model", "-c", "model.yml"], ["bench", "--model", "lenet", "--mode", "infer"],
        ]
        for command in commands {
            for threads in ["3000000000", "-1", "99999"] {
                try assertStatus(64, command + ["--threads=\(threads)"], ["--threads", threads])
            }
        }
        try slim.write("threads.yml", SlimRunner.tinyModel + "threads: 3000000000\n")
        try assertStatus(65, ["eval", "--model_path", "model", "-c", "threads.yml"], ["threads.yml:", "threads must be in 0...1024"])
        try assertStatus(65, ["eval", "--model_path", "model", "-c", "model.yml", "-o", "threads=-2"], ["threads must be in 0...1024", "got -2"])
    }

    func testWeightsIsTheDefaultModelPathOfEvalAndInfer() throws {
        let withWeights = ["-c", "model.yml", "-o", "weights=model", "EvalReader.dataset.num_samples=10"]
        let eval = try slim.run(["eval"] + withWeights)
        XCTAssertEqual(eval.status, 0, eval.err)
        XCTAssertTrue(eval.out.contains("model: loss"), eval.out)
        let image = SlimRunner.repoRoot.appendingPathComponent("examples/infer_images").path
        let firstImage = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: image).sorted().first { $0.hasSuffix(".png") })
        let infer = try slim.run(["infer", "--infer_img", image + "/" + firstImage, "--output_dir", "inferred"] + withWeights)
        XCTAssertEqual(infer.status, 0, infer.err)
        XCTAssertNotNil(slim.bytes("inferred/predictions.json"))
        let given = try slim.run(["eval", "--model_path", "nowhere"] + withWeights)
        XCTAssertTrue(given.err.contains("nowhere"), "--model_path wins over weights: \(given.err)")

        for command in [["eval"], ["infer", "--infer_img", "x.png"], ["calibrate"]] {
            try assertStatus(64, command + ["-c", "model.yml"], ["--model_path", "weights"])
        }
        try assertStatus(64, ["freeze", "--save_path", "f"], ["--model_path"])
        try assertStatus(64, ["export", "--output", "m.onnx"], ["--model_path"])
    }

    func testFilesThatCannotBeReadOrWrittenExit74NamingThePath() throws {
        try assertStatus(74, ["eval", "--model_path", "nowhere", "-c", "model.yml"], ["nowhere"])
        try assertStatus(74, ["eval", "--model_path", "model", "-c", "missing.yml"], ["missing.yml"])
        try assertStatus(74, ["compress", "-s", "missing-slim.yml", "-c", "model.yml"], ["missing-slim.yml"])
        try assertStatus(74, ["train", "-c", "model.yml", "-d", "no-data"], ["no-data"])
        try assertStatus(74, ["calibrate", "--model_path", "nowhere", "-c", "model.yml"], ["nowhere"])
        try assertStatus(74, ["infer", "--model_path", "model", "-c", "model.yml", "--infer_img", "missing.png"], ["missing.png"])
        try assertStatus(74, ["eval", "--model_path", "model", "-c", "model.yml", "-o", "EvalReader.dataset.num_samples=10",
                              "--output_eval", "no/such/dir/eval.json"], ["no/such/dir/eval.json"])
    }
}
