import Foundation
import SlimTrain
import XCTest

/// `slim eval` and `slim infer` on a tiny YOLOv3 trained for one iteration at a tiny learning
/// rate (so its NMS keeps 100 detections per image) on a generated fashion-voc set of 140 px
/// pictures: the mAP line and JSON, the predictions file in original-image pixels, the drawn
/// copies, refusal to overwrite, exit codes; and, when bench/.venv exists, the mAP recomputed by
/// bench/detection_map_check.py from the predictions and the annotation XMLs.
final class DetectionEvalInferEndToEndTests: XCTestCase {
    static let python = SlimRunner.repoRoot.appendingPathComponent("bench/.venv/bin/python")
    static let check = SlimRunner.repoRoot.appendingPathComponent("bench/detection_map_check.py")
    static let yaml = YOLOv3EndToEndTests.yaml()
        .replacingOccurrences(of: "max_iters: 2", with: "max_iters: 1\nseed: 2\nLearningRate: {base_lr: 0.00001}")
    static let labels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The trained model and the eval outputs, made once for all tests.
    struct Fixture {
        let slim: SlimRunner
        let train: ChildProcess.Result
        let eval: ChildProcess.Result
    }

    nonisolated(unsafe) static var shared: Fixture?

    override class func tearDown() {
        shared?.slim.cleanUp()
        shared = nil
        super.tearDown()
    }

    func fixture() throws -> Fixture {
        if let shared = Self.shared { return shared }
        let slim = try SlimRunner()
        let made = try slim.run(["dataset", "fashion-voc", "--output", "voc", "--train", "2", "--test", "24", "--canvas", "140"])
        XCTAssertEqual(made.status, 0, made.err)
        try slim.write("model.yml", Self.yaml)
        let train = try slim.run(["train", "-c", "model.yml", "-d", "voc"])
        let eval = try slim.run(["eval", "-c", "model.yml", "-d", "voc", "--model_path", "out/model/last",
                                 "--output_eval", "eval.json", "--output_predictions", "predictions.json"])
        let made2 = Fixture(slim: slim, train: train, eval: eval)
        Self.shared = made2
        return made2
    }

    func predictions(_ slim: SlimRunner, _ file: String) throws -> [[String: Any]] {
        let data = try XCTUnwrap(slim.bytes(file), "\(file) is written")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]], "\(file) is a JSON list")
    }

    func testEvalPrintsTheMAPLineAndWritesBBoxMapAndMapType() throws {
        let f = try fixture()
        XCTAssertEqual(f.train.status, 0, f.train.err)
        XCTAssertEqual(f.eval.status, 0, f.eval.err)
        let line = try XCTUnwrap(f.eval.out.split(separator: "\n").first { $0.hasPrefix("mAP(0.50, 11point) = ") }, f.eval.out)
        XCTAssertTrue(f.eval.out.contains("out/model/last: map "), f.eval.out)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: XCTUnwrap(f.slim.bytes("eval.json"))) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["bbox_map", "map", "map_type", "primary", "samples"])
        XCTAssertEqual(json["map_type"] as? String, "11point")
        XCTAssertEqual(json["samples"] as? Int, 24)
        let map = try XCTUnwrap(json["map"] as? Double), bboxMap = try XCTUnwrap(json["bbox_map"] as? Double)
        XCTAssertEqual(bboxMap, 100 * map, accuracy: 1e-9, "bbox_map is the percentage")
        XCTAssertEqual(String(line.dropFirst("mAP(0.50, 11point) = ".count)), String(format: "%.2f", bboxMap))
        XCTAssertGreaterThan(map, 0, "the check below is meaningful only when some detection matches")
    }

    func testPredictionsListEveryDetectionInOriginalPixels() throws {
        let f = try fixture()
        let list = try predictions(f.slim, "predictions.json")
        XCTAssertEqual(list.count, 24 * 100, "keep_top_k 100 detections for each of the 24 images")
        for p in list {
            let image = try XCTUnwrap(p["image"] as? String)
            XCTAssertTrue(image.hasPrefix("voc/JPEGImages/") && FileManager.default.fileExists(atPath: f.slim.path(image)), image)
            let label = try XCTUnwrap(p["label"] as? Int)
            XCTAssertEqual(p["name"] as? String, Self.labels[label])
            let score = try XCTUnwrap(p["score"] as? Double)
            XCTAssertTrue(score > 0 && score <= 1, "\(score)")
            let box = try XCTUnwrap(p["bbox"] as? [Double])
            XCTAssertEqual(box.count, 4)
            XCTAssertTrue(box[0] >= 0 && box[1] >= 0 && box[2] <= 139 && box[3] <= 139 && box[0] <= box[2] && box[1] <= box[3],
                          "\(box) lies in the 140x140 original, not the 96x96 input")
        }
        XCTAssertGreaterThan(list.compactMap { ($0["bbox"] as? [Double])?[2] }.max() ?? 0, 96, "boxes are scaled back past the input size")
    }

    func testMAPAgreesWithAnIndependentComputation() throws {
        let f = try fixture()
        guard FileManager.default.isExecutableFile(atPath: Self.python.path) else {
            throw XCTSkip("mAP check skipped: no \(Self.python.path) (bench/setup_venv.sh creates it)")
        }
        let r = try runCheck(f.slim, "--dataset-dir", "voc", "--predictions", "predictions.json", "--eval-json", "eval.json")
        XCTAssertEqual(r.status, 0, r.out + r.err)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out + r.err)
        let eval = try XCTUnwrap(try JSONSerialization.jsonObject(with: XCTUnwrap(f.slim.bytes("eval.json"))) as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(json["map"] as? Double), try XCTUnwrap(eval["map"] as? Double), accuracy: 1e-4)
        XCTAssertEqual(json["predictions"] as? Int, 2400)

        // Hand-made predictions of known mAP: the ground truth itself (1), and the ground truth
        // below one false positive per class (P / (P + 1) per class of P objects).
        let truth = try groundTruth(f.slim)
        try writePredictions(f.slim, "perfect.json", truth.map { ($0.image, $0.label, 0.5, $0.box) })
        let falsePositives = Set(truth.map(\.label)).map { (truth[0].image, $0, 0.9, [0.0, 0.0, 2.0, 2.0]) }
        try writePredictions(f.slim, "with_fp.json", truth.map { ($0.image, $0.label, 0.5, $0.box) } + falsePositives)
        let counts = Dictionary(grouping: truth, by: \.label).mapValues { Double($0.count) }
        let expected = counts.values.map { $0 / ($0 + 1) }.reduce(0, +) / Double(counts.count)
        for (file, value) in [("perfect.json", 1.0), ("with_fp.json", expected)] {
            let r = try runCheck(f.slim, "--dataset-dir", "voc", "--predictions", file, "--expect", "\(value)", "--tolerance", "1e-9")
            XCTAssertEqual(r.status, 0, "\(file): \(r.out) \(r.err)")
        }
        let wrong = try runCheck(f.slim, "--dataset-dir", "voc", "--predictions", "with_fp.json", "--expect", "1")
        XCTAssertNotEqual(wrong.status, 0, "the script fails on a mismatch: \(wrong.out)")
    }

    func testInferDrawsDetectionsOnCopiesOfImagesOfAnySize() throws {
        let f = try fixture()
        try FileManager.default.createDirectory(atPath: f.slim.path("in"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: f.slim.path("voc/JPEGImages/000002.jpg"), toPath: f.slim.path("in/a.jpg"))
        let gradient: [UInt8] = (0..<(200 * 120 * 3)).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: (i / 3) % 200 / 2) }
        let wide = DecodedImage(width: 200, height: 120, channels: 3, pixels: gradient)
        try ImageCodec.encodePNG(wide, to: f.slim.path("in/wide.png"))
        let before = try ["a.jpg", "wide.png"].map { try XCTUnwrap(f.slim.bytes("in/\($0)")) }
        let r = try f.slim.run(["infer", "-c", "model.yml", "-d", "voc", "--model_path", "out/model/last", "--infer_dir", "in",
                                "--draw_threshold", "0"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.split(separator: "\n").filter { $0.hasPrefix("in/") && $0.contains(" -> output/") }.count, 2, r.out)
        XCTAssertEqual(try ["a.jpg", "wide.png"].map { try XCTUnwrap(f.slim.bytes("in/\($0)")) }, before, "inputs untouched")
        for (name, width, height) in [("a.jpg", 140, 140), ("wide.png", 200, 120)] {
            let input = try ImageCodec.decode(path: f.slim.path("in/\(name)"))
            let drawn = try ImageCodec.decode(path: f.slim.path("output/\(name)"))
            XCTAssertEqual([drawn.width, drawn.height, drawn.channels], [width, height, 3], name)
            XCTAssertNotEqual(drawn.pixels, input.pixels, "\(name): boxes are drawn")
        }
        let list = try predictions(f.slim, "output/predictions.json")
        XCTAssertEqual(Set(list.compactMap { $0["image"] as? String }), ["in/a.jpg", "in/wide.png"])
        let wideBoxes = try list.filter { $0["image"] as? String == "in/wide.png" }.map { try XCTUnwrap($0["bbox"] as? [Double]) }
        for box in wideBoxes {
            XCTAssertTrue(box[0] >= 0 && box[1] >= 0 && box[2] <= 199 && box[3] <= 119, "\(box) in the 200x120 original")
        }
        XCTAssertGreaterThan(wideBoxes.map { $0[2] }.max() ?? 0, 120, "boxes span the original width, not the 96 px input")
        // A second run replaces its own files.
        XCTAssertEqual(try f.slim.run(["infer", "-c", "model.yml", "-d", "voc", "--model_path", "out/model/last", "--infer_dir", "in"]).status, 0)
    }

    func testInferNeverOverwritesFilesItDidNotWrite() throws {
        let f = try fixture()
        try FileManager.default.createDirectory(atPath: f.slim.path("mine"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: f.slim.path("voc/JPEGImages/000003.jpg"), toPath: f.slim.path("mine/b.jpg"))
        let same = try f.slim.run(["infer", "-c", "model.yml", "-d", "voc", "--model_path", "out/model/last", "--infer_dir", "mine",
                                   "--output_dir", "mine"])
        XCTAssertEqual(same.status, 64, same.err)
        try FileManager.default.createDirectory(atPath: f.slim.path("keep"), withIntermediateDirectories: true)
        try f.slim.write("keep/b.jpg", "not slim's")
        let r = try f.slim.run(["infer", "-c", "model.yml", "-d", "voc", "--model_path", "out/model/last", "--infer_img", "mine/b.jpg",
                                "--output_dir", "keep"])
        XCTAssertEqual(r.status, 74, r.err)
        XCTAssertTrue(r.err.contains("keep/b.jpg"), r.err)
        XCTAssertEqual(f.slim.bytes("keep/b.jpg"), Data("not slim's".utf8))
        XCTAssertNil(f.slim.bytes("keep/predictions.json"))
    }

    func testBadPathsAndFlagsExitCodes() throws {
        let f = try fixture()
        let model = ["-c", "model.yml", "-d", "voc", "--model_path", "out/model/last"]
        let cases: [([String], Int32, String?)] = [
            (["eval"] + model + ["--output_predictions", "no/such/dir/p.json"], 74, "no/such/dir/p.json"),
            (["eval"] + model + ["--output_eval", "no/such/dir/e.json"], 74, "no/such/dir/e.json"),
            (["eval"] + model + ["--compare_with", "out/model/last"], 64, "--compare_with"),
            (["infer"] + model + ["--infer_img", "missing.jpg"], 74, "missing.jpg"),
            (["infer"] + model + ["--infer_dir", "missing_dir"], 74, "missing_dir"),
            (["infer"] + model + ["--infer_img", "voc/JPEGImages/000002.jpg", "--output_dir", "model.yml"], 74, "model.yml"),
            (["infer"] + model + ["--infer_img", "voc/JPEGImages/000002.jpg", "--top_k", "3"], 64, "--top_k"),
            (["infer"] + model + ["--infer_img", "voc/JPEGImages/000002.jpg", "--draw_threshold", "1.5"], 64, "--draw_threshold"),
            (["infer"] + model + ["--infer_img", "voc/JPEGImages/000002.jpg", "--infer_dir", "voc/JPEGImages"], 64, nil),
        ]
        for (args, status, named) in cases {
            let r = try f.slim.run(args)
            XCTAssertEqual(r.status, status, "\(args): \(r.err)")
            if let named { XCTAssertTrue(r.err.contains(named), "\(args): \(r.err)") }
        }
    }

    // MARK: helpers

    func runCheck(_ slim: SlimRunner, _ args: String...) throws -> ChildProcess.Result {
        let p = Process()
        p.executableURL = Self.python
        p.arguments = [Self.check.path] + args
        p.currentDirectoryURL = slim.workDir
        return try ChildProcess.run(p, timeout: 120)
    }

    /// The objects of the test list's annotation XMLs (none is difficult in fashion-voc).
    func groundTruth(_ slim: SlimRunner) throws -> [(image: String, label: Int, box: [Double])] {
        let list = String(decoding: try XCTUnwrap(slim.bytes("voc/test.txt")), as: UTF8.self)
        return try list.split(separator: "\n").flatMap { line -> [(image: String, label: Int, box: [Double])] in
            let parts = line.split(separator: " ").map(String.init)
            let xml = String(decoding: try XCTUnwrap(slim.bytes("voc/" + parts[1])), as: UTF8.self)
            return try xml.components(separatedBy: "<object>").dropFirst().map { object in
                func value(_ tag: String) throws -> String {
                    let start = try XCTUnwrap(object.range(of: "<\(tag)>"), tag), end = try XCTUnwrap(object.range(of: "</\(tag)>"), tag)
                    return String(object[start.upperBound..<end.lowerBound])
                }
                let label = try XCTUnwrap(Self.labels.firstIndex(of: try value("name")))
                return ("voc/" + parts[0], label, try ["xmin", "ymin", "xmax", "ymax"].map { try XCTUnwrap(Double(try value($0))) })
            }
        }
    }

    func writePredictions(_ slim: SlimRunner, _ file: String, _ items: [(String, Int, Double, [Double])]) throws {
        let list = items.map { ["image": $0.0, "label": $0.1, "name": Self.labels[$0.1], "score": $0.2, "bbox": $0.3] as [String: Any] }
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: slim.path(file)))
    }
}
