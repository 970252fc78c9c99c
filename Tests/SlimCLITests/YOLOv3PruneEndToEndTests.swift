import Foundation
import XCTest

/// `strategies/prune_uniform_yolov3.yaml` on the tiny YOLOv3 (the detection compress fixture):
/// the backbone and the neck prune through the route concats, `slim calops` of a checkpoint's
/// eval model counts the pruned FLOPs the strategy logged, a rerun resumes the pruned shapes.
final class YOLOv3PruneEndToEndTests: XCTestCase {
    func testUniformPruningThroughTheRoutes() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try DetectionCompressEndToEndTests.prepare(slim, test: 8)
        let preset = try String(contentsOf: SlimRunner.repoRoot.appendingPathComponent("strategies/prune_uniform_yolov3.yaml"), encoding: .utf8)
        XCTAssertTrue(preset.contains("  epoch: 5\n"))
        try slim.write("prune.yaml", preset.replacingOccurrences(of: "  epoch: 5\n", with: "  epoch: 2\n"))
        let model = ["-c", "yolov3_mobilenet_v1_voc.yml", "-d", "voc", "-o"] + DetectionCompressEndToEndTests.tiny
        let args = ["compress", "-s", "prune.yaml"] + model + DetectionCompressEndToEndTests.compressOverrides
        let r = try slim.run(args)
        XCTAssertEqual(r.status, 0, r.err)
        let line = r.out.split(separator: "\n").first { $0.hasPrefix("uniform_pruning_strategy: pruned FLOPs: ") }.map(String.init) ?? ""
        let counts = line.split(separator: " ").compactMap { Int($0) }
        XCTAssertEqual(counts.count, 2, r.out)
        let (before, after) = (counts.first ?? 0, counts.last ?? 0)
        XCTAssertTrue(after > 0 && after <= before / 2, line)
        for pruned in ["  conv4_2_sep_weights: 128 -> ", "  yolo_transition.0.conv.weights: 64 -> ", "  conv3_2_sep_weights: 64 -> ",
                       "  yolo_transition.1.conv.weights: 32 -> ", "  yolo_block.2.tip.conv.weights: 64 -> "] {
            XCTAssertTrue(r.out.contains(pruned), "\(pruned) in \(r.out)")
        }
        XCTAssertFalse(r.out.contains("yolo_output"), r.out)
        XCTAssertTrue(r.out.contains("mAP(0.50, 11point) = "), r.out)

        let ops = try slim.run(["calops", "--model_path", "checkpoints/yolov3_prune/1/eval_model"] + model)
        XCTAssertEqual(ops.status, 0, ops.err)
        XCTAssertTrue(ops.out.contains("Total FLOPs (multiply-adds): \(after) "), "\(after) in \(ops.out)")

        try slim.write("prune.yaml", preset.replacingOccurrences(of: "  epoch: 5\n", with: "  epoch: 3\n"))
        let resumed = try slim.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resuming from ./checkpoints/yolov3_prune/1 at epoch 2"), resumed.out)
        XCTAssertTrue(resumed.out.contains("saved checkpoint ./checkpoints/yolov3_prune/2"), resumed.out)
    }
}
