import Foundation
import SlimTensor
import XCTest
@testable import SlimGraph

/// A model folder is written as one unit and replaces only a folder of model files.
final class ModelFileUnitTests: XCTestCase {
    func testASaveReplacesAModelFolderWholeAndLeavesNoTemporaries() throws {
        let root = try ModelFileSamples.temporaryDirectory(self), dir = root + "/float"
        let program = ModelFileSamples.classifier(), params = ModelFileSamples.classifierParams()
        try ModelFile.save(program: program, params: params, to: dir, modelName: "model", paramsName: "weights")
        var changed = params
        let first = try XCTUnwrap(params.keys.sorted().first)
        changed[first] = Tensor.filled(0.5, shape: try XCTUnwrap(params[first]).shape)
        try ModelFile.save(program: program, params: changed, to: dir, modelName: "model", paramsName: "weights")
        XCTAssertEqual(try ModelFile.load(from: dir, modelName: "model", paramsName: "weights").params[first], changed[first])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root), ["float"], "no hidden folders left")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["model", "weights"])
    }

    func testAFolderHoldingOtherFilesIsRefusedAndUntouched() throws {
        let dir = try ModelFileSamples.temporaryDirectory(self) + "/mine"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ModelFileSamples.write(Array("keep".utf8), dir + "/notes.txt")
        assertModelFileError([.io], ["mine", "not model files", "notes.txt"]) {
            try ModelFile.save(program: ModelFileSamples.classifier(), params: ModelFileSamples.classifierParams(), to: dir)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["notes.txt"])
        XCTAssertEqual(try ModelFileSamples.read(dir + "/notes.txt"), Array("keep".utf8))
    }

    func testAFileWhereTheFolderShouldBeIsRefusedAndUntouched() throws {
        let path = try ModelFileSamples.temporaryDirectory(self) + "/float"
        try ModelFileSamples.write(Array("mine".utf8), path)
        assertModelFileError([.io], ["float", "it is a file"]) {
            try ModelFile.save(program: ModelFileSamples.classifier(), params: ModelFileSamples.classifierParams(), to: path)
        }
        XCTAssertEqual(try ModelFileSamples.read(path), Array("mine".utf8))
    }

    func testStaleHiddenFoldersOfAKilledSaveAreRemoved() throws {
        let root = try ModelFileSamples.temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: root + "/.int8.tmp-1-2", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/.other", withIntermediateDirectories: true)
        try ModelFile.save(program: ModelFileSamples.classifier(), params: ModelFileSamples.classifierParams(), to: root + "/int8")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root).sorted(), [".other", "int8"])
    }
}
