import Foundation
import SlimTensor
import XCTest
@testable import SlimGraph

final class ModelFileRoundTripTests: XCTestCase {
    func testCRC32MatchesTheStandardCheckValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        var split = CRC32()
        split.update(Array("1234".utf8))
        split.update(Array("56789".utf8)[...])
        XCTAssertEqual(split.value, 0xCBF4_3926)
    }

    func testParamsRoundTripIsBitExactForEveryDType() throws {
        let params = ModelFileSamples.allDTypes()
        XCTAssertEqual(Set(params.values.map(\.dtype)), Set(DType.allCases))
        let decoded = try ParamsFile.decode(ParamsFile.encode(params))
        XCTAssertEqual(decoded.keys.sorted(), params.keys.sorted())
        for (name, t) in params {
            XCTAssertEqual(decoded[name], t, name)
            let same = decoded[name].map { d in d.withUnsafeBytes { a in t.withUnsafeBytes { Array(a) == Array($0) } } }
            XCTAssertEqual(same, true, "bytes of \(name)")
        }
    }

    func testParamsLayoutIsTheDocumentedOne() {
        let bytes = ParamsFile.encode(["w": Tensor(shape: [2], dtype: .s8, integers: [-1, 2])])
        let expected: [UInt8] = Array("SLIMPRM1".utf8) + [1, 0, 0, 0] + [1, 0, 0, 0]
            + [1, 0, 0, 0] + [UInt8(ascii: "w")] + [1] + [1, 0, 0, 0] + [2, 0, 0, 0, 0, 0, 0, 0]
            + [2, 0, 0, 0, 0, 0, 0, 0] + [0xFF, 2]
        XCTAssertEqual(Array(bytes.dropLast(4)), expected)
        let crc = CRC32.checksum(expected)
        XCTAssertEqual(Array(bytes.suffix(4)), [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) })
    }

    func testParamsAreSortedByUTF8Bytes() throws {
        let names = ["b", "a", "B", "é", "a.b", "a_b"]
        var params: [String: Tensor] = [:]
        for n in names { params[n] = Tensor(shape: [1], floats: [1]) }
        let bytes = ParamsFile.encode(params)
        var stored: [String] = []
        var offset = 16
        for _ in names {
            let length = Int(bytes[offset]), name = bytes[(offset + 4)..<(offset + 4 + length)]
            stored.append(String(decoding: name, as: UTF8.self))
            offset += 4 + length + 1 + 4 + 8 + 8 + 4
        }
        XCTAssertEqual(stored, ["B", "a", "a.b", "a_b", "b", "é"])
    }

    func testProgramRoundTripAndStableText() throws {
        let program = ModelFileSamples.classifier()
        let bytes = try ProgramFile.encode(program)
        XCTAssertEqual(try ProgramFile.decode(bytes), program)
        XCTAssertEqual(try ProgramFile.encode(try ProgramFile.decode(bytes)), bytes, "re-encoding is byte-identical")
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.hasSuffix("}\n"))
        let keys = ["\"feeds\"", "\"fetches\"", "\"format\"", "\"ops\"", "\"vars\"", "\"version\""]
        let positions = keys.compactMap { text.range(of: $0)?.lowerBound }
        XCTAssertEqual(positions.count, keys.count)
        XCTAssertEqual(positions, positions.sorted(), "top-level keys sorted")
        XCTAssertTrue(text.contains("\"slim-program\""))
        XCTAssertTrue(text.contains("\"ints\""), "attributes as one-key objects")
    }

    func testAttributesOfEveryKindRoundTrip() throws {
        var program = Program(vars: [VarDesc(name: "x", shape: [-1, 2])], feeds: ["x"], fetches: ["x"])
        program.ops = [OpDesc(type: "probe", inputs: ["X": ["x"]], outputs: ["Out": ["x"]], attrs: [
            "i": .int(-3), "f": .float(1e-5), "f2": .float(0.1), "b": .bool(true), "s": .string("avg \"q\"/é"),
            "is": .ints([1, -1]), "fs": .floats([0.9, -2.5e-8]), "ss": .strings(["a", ""]),
        ])]
        XCTAssertEqual(try ProgramFile.decode(try ProgramFile.encode(program)), program)
    }

    func testSaveAndLoadAModelDirectory() throws {
        let dir = try ModelFileSamples.temporaryDirectory(self) + "/nested/float"
        let program = ModelFileSamples.classifier()
        var params = ModelFileSamples.classifierParams()
        params["not.a.var"] = Tensor(shape: [1], floats: [0])
        try ModelFile.save(program: program, params: params, to: dir)
        let loaded = try ModelFile.load(from: dir)
        XCTAssertEqual(loaded.program, program)
        params["not.a.var"] = nil
        XCTAssertEqual(loaded.params, params, "exactly the persistables, bit for bit")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        XCTAssertEqual(files, ["__model__", "__params__"], "no temporary files left behind")
    }

    func testSaveReplacesExistingFiles() throws {
        let dir = try ModelFileSamples.temporaryDirectory(self)
        let program = ModelFileSamples.classifier()
        try ModelFile.save(program: program, params: ModelFileSamples.classifierParams(), to: dir)
        var params = ModelFileSamples.classifierParams()
        params["fc_0.b_0"] = Tensor(shape: [3], floats: [7, 8, 9])
        try ModelFile.save(program: program, params: params, to: dir)
        XCTAssertEqual(try ModelFile.load(from: dir).params["fc_0.b_0"]?.floats, [7, 8, 9])
    }

    func testSaveRefusesParamsThatDoNotMatchTheProgram() throws {
        let dir = try ModelFileSamples.temporaryDirectory(self) + "/out"
        let program = ModelFileSamples.classifier()
        var params = ModelFileSamples.classifierParams()
        params["fc_0.b_0"] = nil
        assertModelFileError([.mismatch], ["fc_0.b_0", "has no value"]) {
            try ModelFile.save(program: program, params: params, to: dir)
        }
        params["fc_0.b_0"] = Tensor(shape: [4], floats: [0, 0, 0, 0])
        assertModelFileError([.mismatch], ["fc_0.b_0", "f32[4]", "f32[3]"]) {
            try ModelFile.save(program: program, params: params, to: dir)
        }
        params["fc_0.b_0"] = Tensor(shape: [3], dtype: .s8)
        assertModelFileError([.mismatch], ["s8[3]", "f32[3]"]) {
            try ModelFile.save(program: program, params: params, to: dir)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "nothing written")
    }

    func testFileNamesAreDetected() throws {
        let root = try ModelFileSamples.temporaryDirectory(self)
        let program = ModelFileSamples.classifier(), params = ModelFileSamples.classifierParams()
        try ModelFile.save(program: program, params: params, to: root + "/eval")
        try ModelFile.save(program: program, params: params, to: root + "/frozen", modelName: "model", paramsName: "weights")
        XCTAssertEqual(try ModelFile.detectNames(in: root + "/eval").model, "__model__")
        XCTAssertEqual(try ModelFile.detectNames(in: root + "/frozen").params, "weights")
        XCTAssertEqual(try ModelFile.load(from: root + "/frozen", modelName: nil, paramsName: nil).program, program)
        XCTAssertEqual(try ModelFile.load(from: root + "/frozen", modelName: "model", paramsName: nil).params, params)
        assertModelFileError([.missing], ["__model__", "--model_name model --params_name weights"]) {
            _ = try ModelFile.load(from: root + "/frozen")
        }
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        assertModelFileError([.missing], ["no model files", "--model_name"]) { _ = try ModelFile.detectNames(in: root + "/empty") }
    }

    func testMissingDirectoryAndFileAreReported() throws {
        let root = try ModelFileSamples.temporaryDirectory(self)
        assertModelFileError([.missing], ["no such directory"]) { _ = try ModelFile.load(from: root + "/nope") }
        try ModelFile.save(program: ModelFileSamples.classifier(), params: ModelFileSamples.classifierParams(), to: root + "/m")
        try FileManager.default.removeItem(atPath: root + "/m/__params__")
        assertModelFileError([.missing], ["__params__", "no such file", "files in", "__model__"]) {
            _ = try ModelFile.load(from: root + "/m")
        }
    }
}
