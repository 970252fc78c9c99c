import Foundation
import XCTest

/// `slim bench --mode qat` and `--profile` through the built binary. Never asserts anything about speed.
final class BenchQATEndToEndTests: XCTestCase {
    private var runner: SlimRunner?

    override func setUpWithError() throws { runner = try SlimRunner() }
    override func tearDown() { runner?.cleanUp() }

    func run(_ args: [String]) throws -> ChildProcess.Result { try XCTUnwrap(runner).run(args) }

    func testQATStepPrintsOneJSONLineLabelledQAT() throws {
        let r = try run(["bench", "--model", "lenet", "--mode", "qat", "--batch", "4", "--steps", "2", "--warmup", "1", "--threads", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.out)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any], r.out)
        XCTAssertEqual(object["mode"] as? String, "qat")
        XCTAssertEqual(object["dtype"] as? String, "fp32")
    }

    func testProfileListsTheFusedFakeQuantOpsOfEachScheme() throws {
        for (weights, activations, fused) in [("channel_wise_abs_max", "moving_average_abs_max", "fake_quantize_dequantize_moving_average_abs_max (forward)"),
                                              ("abs_max", "range_abs_max", "fake_quantize_dequantize_range_abs_max (forward)"),
                                              ("abs_max", "abs_max", "fake_quantize_dequantize_abs_max (backward)")] {
            let r = try run(["bench", "--model", "lenet", "--mode", "qat", "--batch", "4", "--steps", "1", "--warmup", "0", "--threads", "1",
                             "--weight_quantize_type", weights, "--activation_quantize_type", activations, "--profile"])
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssertTrue(r.out.contains("per-op profile, ms per step (1 steps)"), r.out)
            XCTAssertTrue(r.out.contains(fused), "\(weights) x \(activations): \(r.out)")
            XCTAssertTrue(r.out.contains("conv2d (backward)"), r.out)
        }
    }

    func testQATOptionErrorsAreUsageErrors() throws {
        for args in [["--model", "lenet", "--mode", "qat", "--dtype", "int8"],
                     ["--model", "yolov3_mbv1", "--mode", "qat"],
                     ["--model", "lenet", "--mode", "qat", "--activation_quantize_type", "kl"]] {
            let r = try run(["bench"] + args + ["--steps", "1", "--warmup", "0"])
            XCTAssertEqual(r.status, 64, "\(args): \(r.err)")
        }
    }
}
