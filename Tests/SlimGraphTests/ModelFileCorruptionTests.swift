import Foundation
import SlimTensor
import XCTest
@testable import SlimGraph

/// Every damaged, foreign or mismatched file gives a `ModelFileError`, never a crash.
final class ModelFileCorruptionTests: XCTestCase {
    private let smallParams = ParamsFile.encode([
        "b": Tensor(shape: [2], dtype: .s8, integers: [-3, 4]),
        "w": Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6]),
    ])

    func testParamsTruncatedAtEveryLength() {
        XCTAssertNoThrow(try ParamsFile.decode(smallParams))
        for length in 0..<smallParams.count {
            assertModelFileError([.truncated]) { _ = try ParamsFile.decode(Array(smallParams.prefix(length))) }
        }
    }

    func testProgramTruncatedAtEveryCutPoint() throws {
        let bytes = try ProgramFile.encode(ModelFileSamples.classifier())
        let end = bytes.count - 1  // the trailing newline may go
        XCTAssertNoThrow(try ProgramFile.decode(Array(bytes.prefix(end))))
        for length in 0..<end {
            assertModelFileError([.truncated, .malformed]) { _ = try ProgramFile.decode(Array(bytes.prefix(length))) }
        }
    }

    func testEveryBitFlipOfAParamsFileIsCaught() {
        for bit in 0..<(smallParams.count * 8) {
            var damaged = smallParams
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            assertModelFileError(Set(ModelFileError.Kind.allCases)) { _ = try ParamsFile.decode(damaged) }
        }
        var damaged = smallParams
        damaged[smallParams.count - 6] ^= 0x10  // inside w's data
        assertModelFileError([.checksumMismatch], ["checksum", "damaged"]) { _ = try ParamsFile.decode(damaged) }
    }

    func testTrailingBytesAreRejected() {
        assertModelFileError([.trailingBytes], ["1 bytes follow"]) { _ = try ParamsFile.decode(smallParams + [0]) }
    }

    func testWrongVersions() throws {
        var params = smallParams
        params[8] = 2
        assertModelFileError([.unsupportedVersion], ["version 2", "expected version 1"]) { _ = try ParamsFile.decode(params) }
        let text = String(decoding: try ProgramFile.encode(ModelFileSamples.classifier()), as: UTF8.self)
        let v2 = text.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 2")
        XCTAssertNotEqual(v2, text)
        assertModelFileError([.unsupportedVersion], ["version 2"]) { _ = try ProgramFile.decode(Array(v2.utf8)) }
        let noVersion = text.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : \"1\"")
        assertModelFileError([.malformed], ["version"]) { _ = try ProgramFile.decode(Array(noVersion.utf8)) }
    }

    func testForeignFiles() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        var state: UInt64 = 12345
        let random: [UInt8] = (0..<200).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56) | 0x80  // never '{' or whitespace
        }
        for bytes in [png, random] {
            assertModelFileError([.foreign], ["not a slim params file"]) { _ = try ParamsFile.decode(bytes) }
            assertModelFileError([.foreign], ["not JSON"]) { _ = try ProgramFile.decode(bytes) }
        }
        assertModelFileError([.truncated], ["empty"]) { _ = try ParamsFile.decode([]) }
        assertModelFileError([.truncated], ["empty"]) { _ = try ProgramFile.decode(Array("  \n".utf8)) }
        assertModelFileError([.foreign], ["slim-program"]) { _ = try ProgramFile.decode(Array("[1, 2]".utf8)) }
        assertModelFileError([.foreign], ["slim-program"]) {
            _ = try ProgramFile.decode(Array("{\"format\": \"onnx\", \"version\": 1}".utf8))
        }
        assertModelFileError([.foreign]) { _ = try ParamsFile.decode(try ProgramFile.encode(ModelFileSamples.classifier())) }
        assertModelFileError([.foreign]) { _ = try ProgramFile.decode(self.smallParams) }
    }

    func testCorruptLengthsNeitherCrashNorAllocate() {
        var header = ByteWriter()
        header.append(ParamsFile.magic)
        header.u32(1)
        header.u32(UInt32.max)  // count
        var hugeName = header
        hugeName.u32(UInt32.max)
        assertModelFileError([.truncated], ["name of tensor #0"]) { _ = try ParamsFile.decode(hugeName.bytes) }
        var hugeDims = header
        hugeDims.u32(1); hugeDims.append(Array("w".utf8)); hugeDims.u8(0)
        hugeDims.u32(2); hugeDims.i64(1 << 40); hugeDims.i64(1 << 40); hugeDims.u64(UInt64.max)
        assertModelFileError([.malformed], ["declares"]) { _ = try ParamsFile.decode(hugeDims.bytes) }
        var hugeData = header
        hugeData.u32(1); hugeData.append(Array("w".utf8)); hugeData.u8(0)
        hugeData.u32(1); hugeData.i64(1 << 35); hugeData.u64(1 << 37)
        assertModelFileError([.truncated], ["data of 'w'"]) { _ = try ParamsFile.decode(hugeData.bytes) }
        var hugeRank = header
        hugeRank.u32(1); hugeRank.append(Array("w".utf8)); hugeRank.u8(0); hugeRank.u32(UInt32.max)
        assertModelFileError([.truncated], ["dims of 'w'"]) { _ = try ParamsFile.decode(hugeRank.bytes) }
        var negative = header
        negative.u32(1); negative.append(Array("w".utf8)); negative.u8(0); negative.u32(1); negative.i64(-1)
        assertModelFileError([.malformed], ["dim 0 = -1"]) { _ = try ParamsFile.decode(negative.bytes) }
        var badDType = header
        badDType.u32(1); badDType.append(Array("w".utf8)); badDType.u8(9)
        assertModelFileError([.malformed], ["dtype code 9"]) { _ = try ParamsFile.decode(badDType.bytes) }
    }

    func testUnsortedOrDuplicateNamesAreRejected() {
        var w = ByteWriter()
        w.append(ParamsFile.magic); w.u32(1); w.u32(2)
        for _ in 0..<2 { w.u32(1); w.append(Array("w".utf8)); w.u8(2); w.u32(0); w.u64(1); w.u8(7) }
        w.u32(CRC32.checksum(w.bytes))
        assertModelFileError([.malformed], ["follows 'w'"]) { _ = try ParamsFile.decode(w.bytes) }
    }

    func testProgramAndParamsMustMatch() throws {
        let dir = try ModelFileSamples.temporaryDirectory(self)
        let program = ModelFileSamples.classifier()
        var params = ModelFileSamples.classifierParams()
        try ModelFile.save(program: program, params: params, to: dir)
        let paramsPath = dir + "/__params__"
        params["fc_0.b_0"] = nil
        try ModelFileSamples.write(ParamsFile.encode(params), paramsPath)
        assertModelFileError([.mismatch], ["fc_0.b_0", "is not stored", "__params__"]) { _ = try ModelFile.load(from: dir) }
        params["fc_0.b_0"] = Tensor(shape: [3, 1], floats: [1, 2, 3])
        try ModelFileSamples.write(ParamsFile.encode(params), paramsPath)
        assertModelFileError([.mismatch], ["f32[3, 1]", "f32[3]"]) { _ = try ModelFile.load(from: dir) }
        params["fc_0.b_0"] = Tensor(shape: [3], dtype: .s32)
        try ModelFileSamples.write(ParamsFile.encode(params), paramsPath)
        assertModelFileError([.mismatch], ["s32[3]"]) { _ = try ModelFile.load(from: dir) }
        params = ModelFileSamples.classifierParams()
        params["extra"] = Tensor(shape: [1], floats: [0])
        try ModelFileSamples.write(ParamsFile.encode(params), paramsPath)
        assertModelFileError([.mismatch], ["'extra'"]) { _ = try ModelFile.load(from: dir) }
    }

    func testInconsistentProgramsAreRejected() throws {
        func decode(_ edit: (inout ProgramFile.Envelope) -> Void) throws -> [UInt8] {
            let p = ModelFileSamples.classifier()
            var e = ProgramFile.Envelope(feeds: p.feeds, fetches: p.fetches, format: ProgramFile.format,
                                         ops: p.ops, vars: p.vars, version: ProgramFile.version)
            edit(&e)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return [UInt8](try encoder.encode(e))
        }
        let duplicate = try decode { $0.vars.append($0.vars[0]) }
        assertModelFileError([.malformed], ["'image' is declared twice"]) { _ = try ProgramFile.decode(duplicate) }
        let undeclared = try decode { $0.ops[1].outputs["Out"] = ["nowhere"] }
        assertModelFileError([.malformed], ["op #1 'relu'", "'nowhere'"]) { _ = try ProgramFile.decode(undeclared) }
        let badFeed = try decode { $0.feeds = ["imgae"] }
        assertModelFileError([.malformed], ["feed 'imgae'"]) { _ = try ProgramFile.decode(badFeed) }
        let batchWeight = try decode { $0.vars[2].shape = [-1, 3] }
        assertModelFileError([.malformed], ["conv2d_0.w_0", "persistable"]) { _ = try ProgramFile.decode(batchWeight) }
        let text = String(decoding: try decode { _ in }, as: UTF8.self)
        let badDType = text.replacingOccurrences(of: "\"dtype\":\"s32\"", with: "\"dtype\":\"f64\"")
        XCTAssertNotEqual(badDType, text)
        assertModelFileError([.malformed], ["vars[1].dtype"]) { _ = try ProgramFile.decode(Array(badDType.utf8)) }
    }
}
