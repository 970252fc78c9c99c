import Foundation
import XCTest

/// `slim dataset fashion-voc` from the installed Fashion-MNIST: layout, determinism, and refusals.
final class DatasetEndToEndTests: XCTestCase {
    var slim: SlimRunner!

    override func setUpWithError() throws {
        slim = try SlimRunner()
        addTeardownBlock { [slim] in slim?.cleanUp() }
    }

    private let options = ["--train", "3", "--test", "2", "--seed", "4", "--canvas", "160"]

    func testWritesPaddleDetectionsVOCLayoutTheSameTwice() throws {
        let first = try slim.run(["dataset", "fashion-voc", "--output", "voc"] + options)
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertTrue(first.out.contains("3 train + 2 test pictures"), first.out)
        let list = try XCTUnwrap(slim.bytes("voc/trainval.txt"))
        XCTAssertEqual(String(decoding: list, as: UTF8.self).split(separator: "\n"),
                       ["JPEGImages/000000.jpg Annotations/000000.xml", "JPEGImages/000001.jpg Annotations/000001.xml",
                        "JPEGImages/000002.jpg Annotations/000002.xml"])
        XCTAssertEqual(String(decoding: try XCTUnwrap(slim.bytes("voc/test.txt")), as: UTF8.self).split(separator: "\n").count, 2)
        XCTAssertEqual(String(decoding: try XCTUnwrap(slim.bytes("voc/label_list.txt")), as: UTF8.self).split(separator: "\n").first, "T-shirt/top")
        let xml = String(decoding: try XCTUnwrap(slim.bytes("voc/Annotations/000004.xml")), as: UTF8.self)
        XCTAssertTrue(xml.contains("<width>160</width>") && xml.contains("<bndbox>"), xml)
        XCTAssertEqual(try XCTUnwrap(slim.bytes("voc/JPEGImages/000004.jpg")).prefix(3), Data([0xFF, 0xD8, 0xFF]))

        let second = try slim.run(["dataset", "fashion-voc", "--output", "again"] + options)
        XCTAssertEqual(second.status, 0, second.err)
        for file in ["JPEGImages/000000.jpg", "Annotations/000003.xml", "test.txt"] {
            XCTAssertEqual(slim.bytes("voc/" + file), slim.bytes("again/" + file), file)
        }
    }

    func testRefusalsExitWithTheirCodes() throws {
        try FileManager.default.createDirectory(atPath: slim.path("mine"), withIntermediateDirectories: true)
        try slim.write("mine/keep.txt", "not slim's")
        let foreign = try slim.run(["dataset", "fashion-voc", "--output", "mine"] + options)
        XCTAssertEqual(foreign.status, 74, foreign.err)
        XCTAssertTrue(foreign.err.contains("mine") && foreign.err.contains("not empty"), foreign.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: slim.path("mine")), ["keep.txt"])

        let canvas = try slim.run(["dataset", "fashion-voc", "--output", "x", "--canvas", "100"])
        XCTAssertEqual(canvas.status, 64, canvas.err)
        XCTAssertTrue(canvas.err.contains("--canvas"), canvas.err)

        let source = try slim.run(["dataset", "fashion-voc", "--output", "y", "--source", "nowhere"] + options)
        XCTAssertEqual(source.status, 74, source.err)
        XCTAssertTrue(source.err.contains("nowhere/train-images-idx3-ubyte"), source.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slim.path("y")), "nothing written when the source is missing")
    }
}
