import Foundation
import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Runs the built `slim bench` as `make bench` does. Never asserts anything about speed.
final class BenchEndToEndTests: XCTestCase {
    private var runner: SlimRunner?

    override func setUpWithError() throws { runner = try SlimRunner() }
    override func tearDown() { runner?.cleanUp() }

    func run(_ args: [String]) throws -> ChildProcess.Result { try XCTUnwrap(runner).run(args) }

    func testLeNetInferencePrintsOneJSONLineWithTheContractKeys() throws {
        let r = try run(["bench", "--model", "lenet", "--mode", "infer", "--batch", "2", "--steps", "2", "--warmup", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.out)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any], r.out)
        XCTAssertEqual(Set(object.keys), ["model", "mode", "dtype", "batch", "threads", "median_ms", "images_per_s", "peak_rss_mb"])
        XCTAssertEqual(object["model"] as? String, "lenet")
        XCTAssertEqual(object["mode"] as? String, "infer")
        XCTAssertEqual(object["dtype"] as? String, "fp32")
        XCTAssertEqual(object["batch"] as? Int, 2)
        for key in ["median_ms", "images_per_s", "peak_rss_mb"] {
            XCTAssertNotNil(object[key] as? Double, "\(key) is not a number in \(r.out)")
        }
    }

    func testLeNetTrainingStepRunsAndPrintsASummary() throws {
        let r = try run(["bench", "--model", "lenet", "--mode", "train", "--batch", "4", "--steps", "1", "--warmup", "0", "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.hasPrefix("slim bench: lenet train fp32, batch 4, 1 thread, synthetic data"), r.out)
        XCTAssertTrue(r.out.contains("images/s"), r.out)
    }

    func testInt8InferenceRunsTheIntegerEngineAndTrainingIsFP32Only() throws {
        let r = try run(["bench", "--model", "lenet", "--mode", "infer", "--dtype", "int8", "--batch", "2", "--steps", "1",
                         "--warmup", "0", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        XCTAssertEqual(object["dtype"] as? String, "int8")
        let train = try run(["bench", "--model", "lenet", "--mode", "train", "--dtype", "int8", "--steps", "1"])
        XCTAssertEqual(train.status, 64, train.err)
        XCTAssertTrue(train.err.contains("--dtype int8 is for inference"), train.err)
    }

    func testAnInt8ModelDirectoryIsLabelledInt8() throws {
        let dir = URL(fileURLWithPath: try XCTUnwrap(runner).path("model"))
        let built = LeNet5().build(inputShape: [1, 28, 28], seed: 5)
        var program = built.program, params = built.params
        try QuantizationTransformPass().apply(to: &program, params: &params)
        program = try program.pruned(feeds: [built.image], fetches: [built.head.output])
        try QuantizationFreezePass().apply(to: &program, params: &params)
        try ConvertToInt8Pass().apply(to: &program, params: &params)
        try ModelFile.save(program: program, params: params, to: dir.path, modelName: "model", paramsName: "weights")
        let r = try run(["bench", "--model", dir.path, "--mode", "infer", "--batch", "2", "--steps", "1", "--warmup", "0", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        XCTAssertEqual(object["dtype"] as? String, "int8")
    }

    func testInt8ResidualMarksTheResidualAddsOfTheSavedModel() throws {
        let plain = try XCTUnwrap(runner).path("plain"), marked = try XCTUnwrap(runner).path("marked")
        let common = ["--mode", "infer", "--dtype", "int8", "--batch", "2", "--steps", "1", "--warmup", "0", "--threads", "1"]
        for (dir, extra) in [(plain, [String]()), (marked, ["--int8_residual"])] {
            let r = try run(["bench", "--model", "resnet20", "--save_model", dir] + common + extra)
            XCTAssertEqual(r.status, 0, r.err)
        }
        // The residual adds: elementwise_add of two run-time values (not the fc's bias add).
        func adds(_ dir: String) throws -> [OpDesc] {
            let program = try ModelFile.load(from: dir, modelName: nil, paramsName: nil).program
            return program.ops.filter { op in
                op.type == "elementwise_add" && op.inputNames.allSatisfy { program.variable($0)?.persistable == false }
            }
        }
        let plainAdds = try adds(plain), markedAdds = try adds(marked)
        XCTAssertEqual(plainAdds.count, 9, "ResNet-20 has 9 residual adds")
        XCTAssertEqual(markedAdds.count, 9)
        XCTAssertTrue(plainAdds.allSatisfy { $0.attrs[ConvertToInt8Pass.integerResidualAttr] == nil })
        XCTAssertTrue(markedAdds.allSatisfy { $0.attrs[ConvertToInt8Pass.integerResidualAttr] == .bool(true) })
        // The saved model runs as written: the flag is refused for a directory and for FP32.
        let again = try run(["bench", "--model", marked, "--int8_residual"] + common)
        XCTAssertEqual(again.status, 64, again.err)
        XCTAssertTrue(again.err.contains("a saved model runs as it was written"), again.err)
        let fp32 = try run(["bench", "--model", "resnet20", "--mode", "infer", "--int8_residual", "--steps", "1"])
        XCTAssertEqual(fp32.status, 64, fp32.err)
        XCTAssertTrue(fp32.err.contains("--int8_residual is for --mode infer --dtype int8"), fp32.err)
    }

    func testContradictoryOptionsAreUsageErrors() throws {
        let real = try run(["bench", "--model", "mbv1", "--mode", "train", "--data", "real"])
        XCTAssertEqual(real.status, 64, real.err)
        XCTAssertTrue(real.err.contains("--data real is for lenet only"), real.err)
        let unknown = try run(["bench", "--model", "mbv2", "--mode", "infer"])
        XCTAssertEqual(unknown.status, 64, unknown.err)
        XCTAssertTrue(unknown.err.contains("zoo models: lenet, mbv1, resnet20"), unknown.err)
        XCTAssertEqual(try run(["bench", "--model", "lenet", "--mode", "infer", "--batch", "0"]).status, 64)
        XCTAssertEqual(try run(["bench", "--model", "lenet", "--mode", "fly"]).status, 64)
    }

    func testASavedModelDirectoryIsBenchmarkedForInference() throws {
        let dir = URL(fileURLWithPath: try XCTUnwrap(runner).path("model"))
        let built = LeNet5().build(inputShape: [1, 28, 28], seed: 3)
        try ModelFile.save(program: built.program, params: built.params, to: dir.path)
        let r = try run(["bench", "--model", dir.path, "--mode", "infer", "--batch", "3", "--steps", "1", "--warmup", "0", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        XCTAssertEqual(object["model"] as? String, dir.path)
        XCTAssertEqual(object["dtype"] as? String, "fp32")
        let int8 = try run(["bench", "--model", dir.path, "--mode", "infer", "--dtype", "int8", "--steps", "1"])
        XCTAssertEqual(int8.status, 64, int8.err)
        XCTAssertTrue(int8.err.contains("which is fp32"), int8.err)
    }

    func testTrainingASavedModelDirectoryIsAUsageError() throws {
        let dir = URL(fileURLWithPath: try XCTUnwrap(runner).path("empty"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let r = try run(["bench", "--model", dir.path, "--mode", "train"])
        XCTAssertEqual(r.status, 64, r.err)
        XCTAssertTrue(r.err.contains("inference only"), r.err)
    }

    func testYOLOv3TrainsAndInfersAtTheImageSizeItIsGiven() throws {
        for mode in ["train", "infer"] {
            let r = try run(["bench", "--model", "yolov3_mbv1", "--mode", mode, "--image_size", "64", "--scale", "0.125", "--batch", "1",
                             "--steps", "1", "--warmup", "0", "--threads", "1", "--json"])
            XCTAssertEqual(r.status, 0, "\(mode): \(r.err)")
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
            XCTAssertEqual(object["model"] as? String, "yolov3_mbv1")
            XCTAssertEqual(object["mode"] as? String, mode)
            XCTAssertEqual(object["image_size"] as? Int, 64)
            XCTAssertEqual(object["scale"] as? Double, 0.125)
            XCTAssertEqual(object["dtype"] as? String, "fp32")
        }
    }

    /// The INT8 detector: transform, calibration, freeze and conversion, timed on the INT8 engine;
    /// the saved model has s8 weights and is benchmarked as int8 when loaded from disk.
    func testYOLOv3InfersInInt8AndSavesTheInt8Model() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slim-bench-yolo-int8-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--mode", "infer", "--batch", "2", "--steps", "1", "--warmup", "0", "--threads", "1", "--json"]
        let r = try run(["bench", "--model", "yolov3_mbv1", "--dtype", "int8", "--image_size", "64", "--scale", "0.125", "--save_model", dir] + common)
        XCTAssertEqual(r.status, 0, r.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        XCTAssertEqual(object["dtype"] as? String, "int8")
        XCTAssertEqual(object["image_size"] as? Int, 64)
        let loaded = try run(["bench", "--model", dir] + common)
        XCTAssertEqual(loaded.status, 0, loaded.err)
        let again = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(loaded.out.utf8)) as? [String: Any], loaded.out)
        XCTAssertEqual(again["dtype"] as? String, "int8")
    }

    /// Without VNNI (oneDNN held to AVX2 here, on every host) the detector's leaky-ReLU outputs are
    /// signed 8-bit inputs of its later convolutions, which the INT8 engine runs as two unsigned
    /// halves: `slim bench` says how many, on stderr (stdout keeps its one JSON line), and that 7-bit
    /// weights avoid it; with `--weight_bits 7` nothing is split. With VNNI nothing is split and
    /// nothing is said.
    func testAnInt8RunSaysWhichOpsReadSignedInputsWithoutVNNI() throws {
        let runner = try XCTUnwrap(runner)
        let common = ["--mode", "infer", "--batch", "1", "--steps", "1", "--warmup", "0", "--threads", "1", "--json"]
        let avx2 = ["ONEDNN_MAX_CPU_ISA": "AVX2"]
        let detector = try runner.run(["bench", "--model", "yolov3_mbv1", "--dtype", "int8", "--image_size", "64", "--scale", "0.125"] + common,
                                      environment: avx2)
        XCTAssertEqual(detector.status, 0, detector.err)
        XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(detector.out.utf8)), detector.out)
        let note = try XCTUnwrap(detector.err.split(separator: "\n").first { $0.hasPrefix("note: this CPU has no AVX-512 VNNI (oneDNN ISA avx2)") },
                                 detector.err)
        let counts = note.split(separator: " ").compactMap { Int($0) }
        XCTAssertEqual(counts.count, 2, String(note))
        XCTAssertGreaterThan(counts.first ?? 0, 0, String(note))
        XCTAssertLessThan(counts.first ?? 0, counts.last ?? 0, "the backbone's ReLU outputs are u8: \(note)")
        XCTAssertTrue(note.contains("--weight_bits 7"), String(note))

        // 7-bit weights: every convolution reads its signed input as it is (`Int8EvenWeights`).
        let sevenBit = try runner.run(["bench", "--model", "yolov3_mbv1", "--dtype", "int8", "--image_size", "64", "--scale", "0.125",
                                       "--weight_bits", "7"] + common, environment: avx2)
        XCTAssertEqual(sevenBit.status, 0, sevenBit.err)
        XCTAssertFalse(sevenBit.err.contains("note: this CPU"), sevenBit.err)
        let misplaced = try runner.run(["bench", "--model", "yolov3_mbv1", "--weight_bits", "7"] + common)
        XCTAssertEqual(misplaced.status, 64, misplaced.err)
        XCTAssertTrue(misplaced.err.contains("--weight_bits is for --mode infer --dtype int8"), misplaced.err)

        if Kernels.int8IsExact {
            let vnni = try runner.run(["bench", "--model", "yolov3_mbv1", "--dtype", "int8", "--image_size", "64", "--scale", "0.125"] + common)
            XCTAssertEqual(vnni.status, 0, vnni.err)
            XCTAssertFalse(vnni.err.contains("note: this CPU"), vnni.err)
        }
    }

    func testImageSizeIsTheDetectorsAndAMultipleOf32() throws {
        let classifier = try run(["bench", "--model", "mbv1", "--mode", "infer", "--image_size", "64", "--steps", "1"])
        XCTAssertEqual(classifier.status, 64, classifier.err)
        XCTAssertTrue(classifier.err.contains("--image_size is for yolov3_mbv1"), classifier.err)
        let odd = try run(["bench", "--model", "yolov3_mbv1", "--mode", "infer", "--image_size", "100", "--steps", "1"])
        XCTAssertEqual(odd.status, 64, odd.err)
        XCTAssertTrue(odd.err.contains("multiple of 32, got 100"), odd.err)
        let int8 = try run(["bench", "--model", "yolov3_mbv1", "--mode", "train", "--dtype", "int8", "--steps", "1"])
        XCTAssertEqual(int8.status, 64, int8.err)
        XCTAssertTrue(int8.err.contains("--dtype int8 is for inference"), int8.err)
        let scaled = try run(["bench", "--model", "lenet", "--mode", "infer", "--scale", "0.5", "--steps", "1"])
        XCTAssertEqual(scaled.status, 64, scaled.err)
        XCTAssertTrue(scaled.err.contains("--scale is for yolov3_mbv1"), scaled.err)
    }
}
