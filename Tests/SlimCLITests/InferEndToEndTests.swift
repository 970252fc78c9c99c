import Foundation
import SlimGraph
import SlimTrain
import XCTest

/// `slim infer` through the built binary, on a zoo LeNet-5 saved as a model directory (no
/// training: the predictions are an untrained model's, the files and messages are what is checked).
final class InferEndToEndTests: XCTestCase {
    var work = ""
    let images = ConfigShowEndToEndTests.repoRoot.appendingPathComponent("examples/infer_images").path

    override func setUpWithError() throws {
        work = NSTemporaryDirectory() + "slim-infer-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work + "/in", withIntermediateDirectories: true)
        addTeardownBlock { [work] in try? FileManager.default.removeItem(atPath: work) }
        let built = try ModelZoo.model("LeNet5", options: .init(), numClasses: 10).build(inputShape: [1, 28, 28], seed: 5)
        let program = try built.program.pruned(feeds: [built.image], fetches: [built.head.output])
        try ModelFile.save(program: program, params: built.params, to: work + "/model")
        try """
        architecture: LeNet5
        EvalReader:
          batch_size: 2
          dataset: {type: FashionMNIST, split: test}
          transforms:
          - !Normalize {mean: [0.2860], std: [0.3530]}

        """.write(toFile: work + "/model.yml", atomically: true, encoding: .utf8)
    }

    func slim(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = ConfigShowEndToEndTests.slimBinary
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: work)
        p.environment = ProcessInfo.processInfo.environment.merging(["OMP_NUM_THREADS": "1"]) { _, new in new }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func copyExample(_ name: String, as target: String) throws {
        try FileManager.default.copyItem(atPath: images + "/" + name, toPath: work + "/in/" + target)
    }

    func testInferDirWritesPredictionsAndAnnotatedPNGsAndSkipsACorruptFile() throws {
        let fashion = IDXDataset.standardPaths(dir: IDXDataset.defaultFashionMNISTDirectory, split: .test).images
        try XCTSkipUnless(FileManager.default.fileExists(atPath: fashion), "Fashion-MNIST (the class names) is not installed")
        for (i, name) in ["test0_ankle_boot.png", "test1_pullover.png", "test2_trouser.png"].enumerated() {
            try copyExample(name, as: "img\(i).png")
        }
        try Data("GIF89a, not really".utf8).write(to: URL(fileURLWithPath: work + "/in/broken.png"))

        let r = try slim(["infer", "--model_path", "model", "-c", "model.yml", "--infer_dir", "in", "--output_dir", "vis"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("warning: skipping in/broken.png: expected a PNG or JPEG signature"), r.err)
        XCTAssertEqual(r.out.split(separator: "\n").filter { $0.hasPrefix("in/img") }.count, 3, r.out)

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/vis/predictions.json")))
        let entries = try XCTUnwrap(json as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["file"] as? String }, ["in/img0.png", "in/img1.png", "in/img2.png"])
        for entry in entries {
            let predictions = try XCTUnwrap(entry["predictions"] as? [[String: Any]])
            XCTAssertEqual(predictions.count, 5, "top_k defaults to 5")
            let probabilities = predictions.compactMap { ($0["probability"] as? NSNumber)?.doubleValue }
            XCTAssertEqual(probabilities.count, 5)
            XCTAssertLessThanOrEqual(probabilities.reduce(0, +), 1 + 1e-5)
            XCTAssertEqual(probabilities, probabilities.sorted(by: >))
            for p in predictions {
                let id = try XCTUnwrap(p["class_id"] as? Int)
                XCTAssertEqual(p["label"] as? String, IDXDataset.fashionMNISTClassNames[id])
            }
        }
        for i in 0..<3 {
            let annotated = try ImageCodec.decode(path: work + "/vis/img\(i).png")
            XCTAssertEqual(annotated.channels, 3)
            XCTAssertGreaterThanOrEqual(annotated.width, 112)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/vis/broken.png"))
    }

    func testInferImgReadsAJPEGAndUsesTheLabelList() throws {
        try copyExample("test6_coat.jpg", as: "coat.jpeg")
        try (0..<10).map { "class-\($0)" }.joined(separator: "\n").write(toFile: work + "/labels.txt", atomically: true, encoding: .utf8)
        let r = try slim(["infer", "--model_path", "model", "-c", "model.yml", "-d", work + "/no-data", "--infer_img", "in/coat.jpeg",
                          "--label_list", "labels.txt", "--top_k", "2", "--output_dir", "out"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.hasPrefix("in/coat.jpeg: class-"), r.out)
        let entries = try JSONDecoder().decode([ImagePrediction].self, from: Data(contentsOf: URL(fileURLWithPath: work + "/out/predictions.json")))
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries[0].predictions.count, 2)
        XCTAssertEqual(entries[0].predictions.map(\.label), entries[0].predictions.map { "class-\($0.classID)" })
        XCTAssertEqual(try ImageCodec.decode(path: work + "/out/coat.png").width, 168, "84 px upscaled 2x to reach 112")
    }

    func testNoReadableImageExits65AndUsageErrorsExit64() throws {
        try Data("plain text".utf8).write(to: URL(fileURLWithPath: work + "/in/notes.txt"))
        let none = try slim(["infer", "--model_path", "model", "-c", "model.yml", "--infer_dir", "in", "--label_list", "missing.txt"])
        XCTAssertEqual(none.status, 65, none.err)
        XCTAssertTrue(none.err.contains("missing.txt"), none.err)

        let bad = try slim(["infer", "--model_path", "model", "-c", "model.yml", "-d", "nodata", "--infer_dir", "in"])
        XCTAssertEqual(bad.status, 65, bad.err)
        XCTAssertTrue(bad.err.contains("warning: skipping in/notes.txt"), bad.err)
        XCTAssertTrue(bad.err.contains("error: no image could be read from in"), bad.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/output/infer/predictions.json"))

        let both = try slim(["infer", "--model_path", "model", "-c", "model.yml", "--infer_dir", "in", "--infer_img", "x.png"])
        XCTAssertEqual(both.status, 64, both.err)
        let same = try slim(["infer", "--model_path", "model", "-c", "model.yml", "--infer_dir", "in", "--output_dir", "in/"])
        XCTAssertEqual(same.status, 64, same.err)
        XCTAssertTrue(same.err.contains("overwrite"), same.err)
    }
}
