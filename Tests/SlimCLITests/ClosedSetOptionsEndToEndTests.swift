import XCTest

/// Options that take one of a closed set of values: --help lists the values, and any other value
/// is ArgumentParser's usage error (exit 64) naming the valid ones, before anything runs.
final class ClosedSetOptionsEndToEndTests: XCTestCase {
    private let cases: [(command: [String], option: String, values: [String])] = [
        (["freeze", "--model_path", "m", "--save_path", "out"], "--weight_quant_type", ["abs_max", "channel_wise_abs_max"]),
        (["calibrate", "-c", "model.yml", "--model_path", "m"], "--weight_quant_type", ["abs_max", "channel_wise_abs_max"]),
        (["calibrate", "-c", "model.yml", "--model_path", "m"], "--algo", ["abs_max", "avg", "hist", "KL", "mse", "mix"]),
        (["export", "--model_path", "m", "--output", "m.onnx"], "--format", ["onnx"]),
        (["eval", "-c", "model.yml", "--model_path", "m"], "--engine", ["int8", "float"]),
        (["bench", "--model", "lenet"], "--mode", ["train", "infer"]),
        (["bench", "--model", "lenet", "--mode", "infer"], "--dtype", ["fp32", "int8"]),
        (["bench", "--model", "lenet", "--mode", "infer"], "--data", ["synthetic", "real"]),
    ]

    func testHelpListsTheValues() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        for c in cases {
            let help = try slim.run([c.command[0], "--help"])
            XCTAssertEqual(help.status, 0, help.err)
            let listed = "values: " + c.values.joined(separator: ", ")
            let text = help.out.split(whereSeparator: \.isWhitespace).joined(separator: " ")   // help wraps lines
            XCTAssertTrue(text.contains(listed), "\(c.command[0]) \(c.option): no '\(listed)' in\n\(help.out)")
        }
    }

    func testAnotherValueIsAUsageError() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        for c in cases {
            let r = try slim.run(c.command + [c.option, "per_layer"])
            XCTAssertEqual(r.status, 64, "\(c.command[0]) \(c.option): \(r.err)")
            XCTAssertTrue(r.err.contains("The value 'per_layer' is invalid for '\(c.option)"), r.err)
            for value in c.values {   // quoted in one line, or one per line for longer lists
                XCTAssertTrue(r.err.contains("'\(value)'") || r.err.contains("  - \(value)\n"), "\(c.option) \(value): \(r.err)")
            }
            XCTAssertFalse(slim.bytes("out") != nil || slim.bytes("m.onnx") != nil, "nothing is written on a usage error")
        }
    }
}
