import Foundation
import SlimGraph
import SlimQuant
import SlimTrain
import XCTest

/// `slim infer` through the built binary, on a zoo LeNet-5 saved as a model directory (no
/// training: the predictions are an untrained model's, the files and messages are what is checked).
final class InferEndToEndTests: XCTestCase {
    var slim: SlimRunner!
    let images = SlimRunner.repoRoot.appendingPathComponent("examples/infer_images").path

    override func setUpWithError() throws {
        slim = try SlimRunner()
        addTeardownBlock { [slim] in slim?.cleanUp() }
        try FileManager.default.createDirectory(atPath: slim.path("in"), withIntermediateDirectories: true)
        try slim.saveZooModel("LeNet5", numClasses: 10, to: "model")
        try slim.write("model.yml", """
        architecture: LeNet5
        EvalReader:
          batch_size: 2
          dataset: {type: FashionMNIST, split: test}
          transforms:
          - !Normalize {mean: [0.2860], std: [0.3530]}

        """)
    }

    func copyExample(_ name: String, as target: String) throws {
        try FileManager.default.copyItem(atPath: images + "/" + name, toPath: slim.path("in/" + target))
    }

    func predictions(_ relative: String) throws -> [ImagePrediction] {
        try JSONDecoder().decode([ImagePrediction].self, from: XCTUnwrap(slim.bytes(relative), relative))
    }

    func testInferDirWritesPredictionsAndAnnotatedPNGsAndSkipsACorruptFile() throws {
        let fashion = IDXDataset.standardPaths(dir: IDXDataset.defaultFashionMNISTDirectory, split: .test).images
        try XCTSkipUnless(FileManager.default.fileExists(atPath: fashion), "Fashion-MNIST (the class names) is not installed")
        for (i, name) in ["test0_ankle_boot.png", "test1_pullover.png", "test2_trouser.png"].enumerated() {
            try copyExample(name, as: "img\(i).png")
        }
        try slim.write("in/broken.png", "GIF89a, not really")

        let r = try slim.run(["infer", "--model_path", "model", "-c", "model.yml", "--infer_dir", "in", "--output_dir", "vis"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("warning: skipping in/broken.png: expected a PNG or JPEG signature"), r.err)
        XCTAssertEqual(r.out.split(separator: "\n").filter { $0.hasPrefix("in/img") }.count, 3, r.out)

        let json = try JSONSerialization.jsonObject(with: XCTUnwrap(slim.bytes("vis/predictions.json")))
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
            let annotated = try ImageCodec.decode(path: slim.path("vis/img\(i).png"))
            XCTAssertEqual(annotated.channels, 3)
            XCTAssertGreaterThanOrEqual(annotated.width, 112)
        }
        XCTAssertNil(slim.bytes("vis/broken.png"))
    }

    func testInferImgReadsAJPEGAndUsesTheLabelList() throws {
        try copyExample("test6_coat.jpg", as: "coat.jpeg")
        try slim.write("labels.txt", (0..<10).map { "class-\($0)" }.joined(separator: "\n"))
        let r = try slim.run(["infer", "--model_path", "model", "-c", "model.yml", "-d", "no-data", "--infer_img", "in/coat.jpeg",
                              "--label_list", "labels.txt", "--top_k", "2", "--output_dir", "out"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.hasPrefix("in/coat.jpeg: class-"), r.out)
        let entries = try predictions("out/predictions.json")
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries[0].predictions.count, 2)
        XCTAssertEqual(entries[0].predictions.map(\.label), entries[0].predictions.map { "class-\($0.classID)" })
        XCTAssertEqual(try ImageCodec.decode(path: slim.path("out/coat.png")).width, 168, "84 px upscaled 2x to reach 112")
    }

    func testInt8ModelRunsOnTheInt8EngineAndAgreesWithTheFrozenModel() throws {
        SlimQuant.registerOps()
        let built = try ModelZoo.model("LeNet5", options: .init(), numClasses: 10).build(inputShape: [1, 28, 28], seed: 5)
        var program = try built.program.pruned(feeds: [built.image], fetches: [built.head.output])
        let scope = Scope(built.params.filter { program.variable($0.key) != nil })
        try QuantizationTransformPass(QuantizationScheme(weightQuantizeType: .absMax, activationQuantizeType: .absMax)).apply(to: &program, scope: scope)
        var params = scope.tensors
        try QuantizationFreezePass(QuantizationScheme(weightQuantizeType: .absMax)).apply(to: &program, params: &params)
        try ModelFile.save(program: program, params: params, to: slim.path("float"), modelName: "model", paramsName: "weights")
        try ConvertToInt8Pass().apply(to: &program, params: &params)
        try ModelFile.save(program: program, params: params, to: slim.path("int8"), modelName: "model", paramsName: "weights")
        for (i, name) in ["test0_ankle_boot.png", "test2_trouser.png", "test8_sandal.png"].enumerated() { try copyExample(name, as: "\(i).png") }

        let common = ["-c", "model.yml", "-d", "no-data", "--infer_dir", "in", "--top_k", "1"]
        let float = try slim.run(["infer", "--model_path", "float", "--output_dir", "vis-float"] + common)
        XCTAssertEqual(float.status, 0, float.err)
        let int8 = try slim.run(["infer", "--model_path", "int8", "--output_dir", "vis-int8"] + common)
        XCTAssertEqual(int8.status, 0, int8.err)
        XCTAssertTrue(int8.out.hasPrefix("engine: int8"), int8.out)
        let a = try predictions("vis-float/predictions.json"), b = try predictions("vis-int8/predictions.json")
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a.map { $0.predictions[0].classID }, b.map { $0.predictions[0].classID })
    }

    func testNoReadableImageExits65AndUsageErrorsExit64() throws {
        try slim.write("in/notes.txt", "plain text")
        let none = try slim.run(["infer", "--model_path", "model", "-c", "model.yml", "--infer_dir", "in", "--label_list", "missing.txt"])
        XCTAssertEqual(none.status, 74, none.err)
        XCTAssertTrue(none.err.contains("missing.txt"), none.err)

        let bad = try slim.run(["infer", "--model_path", "model", "-c", "model.yml", "-d", "nodata", "--infer_dir", "in"])
        XCTAssertEqual(bad.status, 65, bad.err)
        XCTAssertTrue(bad.err.contains("warning: skipping in/notes.txt"), bad.err)
        XCTAssertTrue(bad.err.contains("error: no image could be read from in"), bad.err)
        XCTAssertNil(slim.bytes("output/infer/predictions.json"))

        let both = try slim.run(["infer", "--model_path", "model", "-c", "model.yml", "--infer_dir", "in", "--infer_img", "x.png"])
        XCTAssertEqual(both.status, 64, both.err)
        let same = try slim.run(["infer", "--model_path", "model", "-c", "model.yml", "--infer_dir", "in", "--output_dir", "in/"])
        XCTAssertEqual(same.status, 64, same.err)
        XCTAssertTrue(same.err.contains("overwrite"), same.err)
    }

    func testAOneLetterImagePathInTheWorkingDirectory() throws {
        try FileManager.default.copyItem(atPath: images + "/test0_ankle_boot.png", toPath: slim.path("a"))
        let args = ["infer", "--model_path", "model", "-c", "model.yml", "-d", "no-data", "--infer_img", "a"]
        let r = try slim.run(args + ["--output_dir", "vis"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try predictions("vis/predictions.json").count, 1)
        let same = try slim.run(args + ["--output_dir", "."])
        XCTAssertEqual(same.status, 64, same.err)
        XCTAssertTrue(same.err.contains("overwrite"), same.err)
    }
}
