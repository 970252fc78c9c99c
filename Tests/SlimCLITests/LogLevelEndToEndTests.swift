import XCTest

/// `--quiet` (warnings and errors only) and `--verbose` (debug lines on stderr) of the pipeline commands.
final class LogLevelEndToEndTests: XCTestCase {
    func testQuietKeepsWarningsAndVerboseAddsDebugLines() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 1))
        let quiet = try slim.run(["compress", "-s", "slim.yaml", "-c", "model.yml", "--quiet"])
        XCTAssertEqual(quiet.status, 0, quiet.err)
        XCTAssertEqual(quiet.out, "warning: no pretrain_weights or init_model: compressing from random initial weights\n")
        XCTAssertNotNil(slim.bytes("quant/int8/model"), "--quiet still writes the models")

        let silent = try slim.run(["export", "--model_path", "quant/int8", "--output", "int8.onnx", "--quiet"])
        XCTAssertEqual(silent.status, 0, silent.err)
        XCTAssertEqual(silent.out + silent.err, "")
        XCTAssertNotNil(slim.bytes("int8.onnx"))

        let normal = try slim.run(["export", "--model_path", "quant/int8", "--output", "int8.onnx"])
        XCTAssertTrue(normal.out.hasPrefix("exported quant/int8 -> int8.onnx (QDQ int8"), normal.out)
        XCTAssertFalse(normal.err.contains("debug:"), normal.err)

        let verbose = try slim.run(["export", "--model_path", "quant/int8", "--output", "int8.onnx", "--verbose"])
        XCTAssertEqual(verbose.status, 0, verbose.err)
        XCTAssertEqual(verbose.out, normal.out, "--verbose leaves the result lines as they are")
        XCTAssertTrue(verbose.err.hasPrefix("debug: loaded quant/int8: "), verbose.err)
        XCTAssertFalse(verbose.out.contains("debug:"), "debug lines go to stderr")

        let failing = try slim.run(["export", "--model_path", "nowhere", "--output", "x.onnx", "--quiet"])
        XCTAssertEqual(failing.status, 74, "a missing model folder is an I/O error")
        XCTAssertTrue(failing.err.contains("nowhere"), "--quiet never hides errors: \(failing.err)")
    }

    func testQuietAndVerboseTogetherIsAUsageError() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        for command in [["train", "-c", "m.yml"], ["freeze", "--model_path", "m", "--save_path", "o"], ["export", "--model_path", "m", "--output", "m.onnx"]] {
            let r = try slim.run(command + ["--quiet", "--verbose"])
            XCTAssertEqual(r.status, 64, "\(command[0]): \(r.err)")
            XCTAssertTrue(r.err.contains("--quiet and --verbose exclude each other"), r.err)
        }
    }
}
