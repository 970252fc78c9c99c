import Foundation
import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// `slim eval --engine int8|float` on an INT8 LeNet model directory, through the built binary.
final class Int8EvalEndToEndTests: XCTestCase {
    /// Saves a LeNet INT8 model (zoo weights, QAT scales set by two train-mode forwards on seeded
    /// images, frozen, converted) to `dir`.
    private func saveInt8LeNet(to dir: String) throws {
        registerOps()
        let built = LeNet5().build(inputShape: [1, 28, 28], seed: 5)
        var program = built.program, params = built.params
        try QuantizationTransformPass(QuantizationScheme(activationQuantizeType: .movingAverageAbsMax)).apply(to: &program, params: &params)
        let scope = Scope(params), executor = try Executor(program: program)
        var g = SeededGenerator(seed: 1)
        for _ in 0..<2 {
            let images = Tensor(shape: [8, 1, 28, 28], floats: (0..<(8 * 784)).map { _ in Float.random(in: -0.8...2.8, using: &g) })
            try executor.run(feeds: ["image": images], scope: scope, mode: .train, fetches: [built.head.output])
        }
        var inference = try program.pruned(feeds: ["image"], fetches: [built.head.output])
        var p = scope.tensors
        try QuantizationFreezePass().apply(to: &inference, params: &p)
        try ConvertToInt8Pass().apply(to: &inference, params: &p)
        try ModelFile.save(program: inference, params: p, to: dir, modelName: "model", paramsName: "weights")
    }

    func testEnginesAgreeAndSayWhichRan() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try saveInt8LeNet(to: slim.path("int8"))
        var results: [String: [String: Double]] = [:]
        for engine in ["default", "int8", "float"] {
            let r = try slim.run(["eval", "--model_path", "int8", "-c", "model.yml", "--output_eval", "\(engine).json"]
                                 + (engine == "default" ? [] : ["--engine", engine]))
            XCTAssertEqual(r.status, 0, "\(engine): \(r.err)")
            let line = r.out.split(separator: "\n").first { $0.hasPrefix("engine: ") } ?? ""
            XCTAssertTrue(line.hasPrefix(engine == "float" ? "engine: float (float emulation" : "engine: int8 (oneDNN u8/s8 kernels"),
                          "\(engine): \(r.out)")
            let json = try JSONSerialization.jsonObject(with: slim.bytes("\(engine).json") ?? Data()) as? [String: Any]
            results[engine] = json?.compactMapValues { $0 as? Double }
        }
        XCTAssertEqual(results["default"], results["int8"])
        XCTAssertEqual(results["int8"]?["top1"] ?? -1, results["float"]?["top1"] ?? -2, accuracy: 0.0051, "200 samples: at most one differs")
        XCTAssertEqual(results["int8"]?["loss"] ?? -1, results["float"]?["loss"] ?? -2, accuracy: 1e-3)
    }

    /// `--compare_with`: the INT8 engine against float emulation of the same directory agrees on
    /// (nearly) every image; against itself exactly; the JSON carries the same numbers.
    func testCompareWithReportsAgreementAndDifferences() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        try saveInt8LeNet(to: slim.path("int8"))
        let r = try slim.run(["eval", "--model_path", "int8", "--compare_with", "int8", "--compare_engine", "float",
                              "-c", "model.yml", "--output_compare", "c.json"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("reference engine: float"), r.out)
        XCTAssertTrue(r.out.contains("top-1 agreement"), r.out)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: slim.bytes("c.json") ?? Data()) as? [String: Any], r.out)
        XCTAssertEqual(json["samples"] as? Int, 200)
        XCTAssertGreaterThanOrEqual(json["top1Agreement"] as? Int ?? 0, 199)
        XCTAssertGreaterThan(json["maxLogitDiff"] as? Double ?? 0, 0, "integer kernels differ from float emulation in rounding")
        XCTAssertLessThan(json["maxProbabilityDiff"] as? Double ?? 1, 0.05)

        let same = try slim.run(["eval", "--model_path", "int8", "--compare_with", "int8", "-c", "model.yml", "--output_compare", "s.json"])
        XCTAssertEqual(same.status, 0, same.err)
        let exact = try XCTUnwrap(JSONSerialization.jsonObject(with: slim.bytes("s.json") ?? Data()) as? [String: Any])
        XCTAssertEqual(exact["top1Agreement"] as? Int, 200)
        XCTAssertEqual(exact["maxLogitDiff"] as? Double, 0)
        XCTAssertEqual(try slim.run(["eval", "--model_path", "int8", "--compare_with", "missing", "-c", "model.yml"]).status, 74)
        let five = LeNet5(numClasses: 5).build(inputShape: [1, 28, 28], seed: 5)
        try ModelFile.save(program: try five.program.pruned(feeds: ["image"], fetches: [five.head.output]), params: five.params,
                           to: slim.path("five"))
        let other = try slim.run(["eval", "--model_path", "int8", "--compare_with", "five", "-c", "model.yml"])
        XCTAssertEqual(other.status, 65, other.err)
        XCTAssertTrue(other.err.contains("outputs differ in shape"), other.err)
    }

    func testInt8EngineOnAFloatModelIsAnError() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", SlimRunner.tinyModel)
        let built = LeNet5().build(inputShape: [1, 28, 28], seed: 5)
        try ModelFile.save(program: try built.program.pruned(feeds: ["image"], fetches: [built.head.output]), params: built.params,
                           to: slim.path("fp32"))
        let r = try slim.run(["eval", "--model_path", "fp32", "-c", "model.yml", "--engine", "int8"])
        XCTAssertEqual(r.status, 65, r.err)
        XCTAssertTrue(r.err.contains("the int8 engine needs an INT8 model"), r.err)
        XCTAssertEqual(try slim.run(["eval", "--model_path", "fp32", "-c", "model.yml", "--engine", "int4"]).status, 64)
    }

    func testBenchRunsAnInt8ModelDirectoryOnTheInt8Engine() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try saveInt8LeNet(to: slim.path("int8"))
        let r = try slim.run(["bench", "--model", "int8", "--mode", "infer", "--dtype", "int8", "--batch", "4", "--steps", "1",
                              "--warmup", "0", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        XCTAssertEqual(object["dtype"] as? String, "int8")
    }
}
