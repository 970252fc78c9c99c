import Foundation
import XCTest
@testable import SlimTrain

final class VOCAnnotationReaderTests: XCTestCase {
    /// A VOC folder: `label_list.txt`, `trainval.txt` listing `files`, and each XML and (empty) image.
    private func makeVOC(_ xmls: [(name: String, xml: String)], labels: [String]? = ["cat", "dog"]) throws -> String {
        let dir = try makeTempDirectory(self)
        for sub in ["Annotations", "JPEGImages"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        var list = ""
        for (name, xml) in xmls {
            try writeFile(Array(xml.utf8), "\(dir)/Annotations/\(name).xml")
            try writeFile([], "\(dir)/JPEGImages/\(name).jpg")
            list += "JPEGImages/\(name).jpg Annotations/\(name).xml\n"
        }
        try writeFile(Array(list.utf8), dir + "/trainval.txt")
        if let labels { try writeFile(Array(labels.joined(separator: "\n").utf8), dir + "/label_list.txt") }
        return dir
    }

    private func xml(size: (Int, Int) = (100, 80), id: Int? = nil, objects: [String]) -> String {
        "<annotation>\n" + (id.map { "<id>\($0)</id>\n" } ?? "")
            + "<size><width>\(size.0)</width><height>\(size.1)</height><depth>3</depth></size>\n"
            + objects.joined(separator: "\n") + "\n</annotation>\n"
    }

    private func object(_ name: String, _ box: (Double, Double, Double, Double), difficult: String? = "0") -> String {
        "<object><name>\(name)</name>" + (difficult.map { "<difficult>\($0)</difficult>" } ?? "")
            + "<bndbox><xmin>\(box.0)</xmin><ymin>\(box.1)</ymin><xmax>\(box.2)</xmax><ymax>\(box.3)</ymax></bndbox></object>"
    }

    func testReadsRecordsClipsBoxesAndSkipsImagesWithoutObjects() throws {
        let dir = try makeVOC([
            ("a", xml(objects: [object("dog", (-3, 2, 120, 50), difficult: "1"), object("cat", (10, 20, 30, 40))])),
            ("b", xml(objects: [])),
            ("c", xml(size: (64, 48), objects: [object("cat", (1, 2, 3, 4), difficult: nil)])),
        ])
        let (records, labels) = try VOCAnnotationReader(datasetDir: dir, annotation: "trainval.txt", useDefaultLabel: false).read()
        XCTAssertEqual(labels.names, ["cat", "dog"])
        XCTAssertEqual(records.count, 2, "the image without objects is left out")
        let a = records[0]
        XCTAssertEqual(a.imagePath, dir + "/JPEGImages/a.jpg")
        XCTAssertEqual(a.imageID, 0)
        XCTAssertEqual(a.width, 100)
        XCTAssertEqual(a.height, 80)
        XCTAssertEqual(a.classIDs, [1, 0])
        XCTAssertEqual(a.difficult, [true, false])
        XCTAssertEqual(a.isCrowd, [false, false])
        XCTAssertEqual(a.boxes[0], BoundingBox(xmin: 0, ymin: 2, xmax: 99, ymax: 50), "clipped to [0, w - 1]")
        XCTAssertEqual(records[1].imageID, 2, "im_id counts the XML without objects too")
        XCTAssertEqual(records[1].difficult, [false], "a missing <difficult> reads as 0")
    }

    func testWithBackgroundShiftsIDsAndIDElementWins() throws {
        let dir = try makeVOC([("a", xml(id: 42, objects: [object("dog", (1, 1, 5, 5))]))])
        let (records, labels) = try VOCAnnotationReader(datasetDir: dir, annotation: "trainval.txt",
                                                        useDefaultLabel: false, withBackground: true).read()
        XCTAssertEqual(records[0].classIDs, [2])
        XCTAssertEqual(records[0].imageID, 42)
        XCTAssertEqual(labels.numClasses, 3)
    }

    func testDefaultLabelsArePaddleDetectionsVOCOrder() throws {
        let dir = try makeVOC([("a", xml(objects: [object("person", (1, 1, 5, 5)), object("aeroplane", (1, 1, 5, 5))]))], labels: nil)
        let (records, labels) = try VOCAnnotationReader(datasetDir: dir, annotation: "trainval.txt").read()
        XCTAssertEqual(labels.names.count, 20)
        XCTAssertEqual(records[0].classIDs, [14, 0])
        XCTAssertEqual(DetectionLabelMap.pascalVOC(withBackground: true).id(of: "tvmonitor"), 20)
    }

    func testMalformedFilesNameFileAndLine() throws {
        let cases: [(String, [String])] = [
            ("<annotation><size><width>10</width></size></annotation>", ["a.xml:1", "<size> has no <height>"]),
            (xml(objects: [object("horse", (1, 1, 2, 2))]), ["a.xml:3", "class 'horse'"]),
            (xml(objects: [object("cat", (1, 1, 2, 2), difficult: "yes")]), ["a.xml:3", "<difficult> expected an integer"]),
            (xml(objects: [object("cat", (5, 1, 2, 2))]), ["a.xml:3", "<bndbox>", "empty"]),
            ("<annotation>\n<size><width>1</width>\n</annotation>", ["a.xml:3", "not well-formed XML"]),
            ("<annotation/>\n<annotation/>", ["a.xml:", "not well-formed XML", "extra content"]),
            ("", ["a.xml", "not well-formed XML", "empty"]),
            (xml(objects: ["<object><name>cat</name><bndbox><xmin>1</xmin><ymin>x</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>"]),
             ["a.xml:3", "<ymin> expected a number, found 'x'"]),
        ]
        for (text, fragments) in cases {
            let dir = try makeVOC([("a", text)])
            assertDataError(fragments) { _ = try VOCAnnotationReader(datasetDir: dir, annotation: "trainval.txt", useDefaultLabel: false).read() }
        }
    }

    func testListAndLabelErrors() throws {
        let dir = try makeVOC([("a", xml(objects: [object("cat", (1, 1, 2, 2))]))])
        let reader = VOCAnnotationReader(datasetDir: dir, annotation: "trainval.txt", useDefaultLabel: false)
        try writeFile(Array("JPEGImages/a.jpg\n".utf8), dir + "/trainval.txt")
        assertDataError(["trainval.txt:1", "expected two paths"]) { _ = try reader.read() }
        try writeFile(Array("\nJPEGImages/a.jpg Annotations/zz.xml\n".utf8), dir + "/trainval.txt")
        XCTAssertThrowsError(try reader.read()) { error in
            XCTAssertEqual((error as? DataError)?.isIO, true)
            XCTAssertTrue("\(error)".contains("zz.xml") && "\(error)".contains("trainval.txt:2"), "\(error)")
        }
        try writeFile(Array("JPEGImages/a.jpg Annotations/a.xml\n".utf8), dir + "/trainval.txt")
        try writeFile(Array("cat\ndog\ncat\n".utf8), dir + "/label_list.txt")
        assertDataError(["label_list.txt:3", "repeats line 1"]) { _ = try reader.read() }
        try FileManager.default.removeItem(atPath: dir + "/label_list.txt")
        XCTAssertThrowsError(try reader.read()) { XCTAssertEqual(($0 as? DataError)?.isIO, true) }
        XCTAssertThrowsError(try VOCAnnotationReader(datasetDir: dir, annotation: "missing.txt").read()) {
            XCTAssertEqual(($0 as? DataError)?.isIO, true)
        }
    }

    func testListWithoutObjectsIsAnError() throws {
        let dir = try makeVOC([("a", xml(objects: []))])
        assertDataError(["trainval.txt", "no image with an annotated object"]) {
            _ = try VOCAnnotationReader(datasetDir: dir, annotation: "trainval.txt", useDefaultLabel: false).read()
        }
    }
}
