import Foundation
import XCTest
@testable import SlimTrain

/// Drawing detections (`DetectionAnnotator`, `DetectionColormap`), their JSON form
/// (`DetectionPrediction`) and the output folder that never replaces foreign files.
final class DetectionAnnotatorTests: XCTestCase {
    private func gray(_ width: Int, _ height: Int, value: UInt8 = 50) -> DecodedImage {
        DecodedImage(width: width, height: height, channels: 1, pixels: Array(repeating: value, count: width * height))
    }

    private func pixel(_ image: DecodedImage, _ x: Int, _ y: Int) -> [UInt8] {
        let i = (y * image.width + x) * image.channels
        return Array(image.pixels[i..<(i + image.channels)])
    }

    func testColormapIsDetectronsFirstFortyColoursTruncated() {
        XCTAssertEqual(DetectionColormap.colors.count, 40)
        XCTAssertEqual(DetectionColormap.colors[0], ImageDrawing.Color(r: 0, g: 113, b: 188))
        XCTAssertEqual(DetectionColormap.colors[1], ImageDrawing.Color(r: 216, g: 82, b: 24))
        XCTAssertEqual(DetectionColormap.colors[39], ImageDrawing.Color(r: 0, g: 84, b: 255))
        XCTAssertEqual(DetectionColormap.color(forClass: 41), DetectionColormap.colors[1])
        XCTAssertEqual(DetectionColormap.color(forClass: -1), DetectionColormap.colors[39])
    }

    func testDrawsTheBoxOutlineInItsClassColourAndKeepsTheSize() {
        let image = gray(64, 48)
        let box = DetectionBox(label: 1, score: 0.9, xmin: 10, ymin: 20, xmax: 40, ymax: 40)
        let drawn = DetectionAnnotator(threshold: 0.5).annotate(image, detections: [box], names: ["a", "b"])
        XCTAssertEqual([drawn.width, drawn.height, drawn.channels], [64, 48, 3])
        let c = DetectionColormap.colors[1]
        for (x, y) in [(10, 30), (11, 30), (40, 30), (39, 30), (25, 40), (25, 39)] {
            XCTAssertEqual(pixel(drawn, x, y), [c.r, c.g, c.b], "outline at (\(x), \(y))")
        }
        XCTAssertEqual(pixel(drawn, 25, 30), [50, 50, 50], "inside the box untouched")
        XCTAssertEqual(pixel(drawn, 60, 5), [50, 50, 50], "outside untouched")
        XCTAssertTrue((11..<40).contains { x in (9..<20).contains { y in pixel(drawn, x, y) == [255, 255, 255] } },
                      "white caption text above the box")
    }

    func testDetectionsBelowTheThresholdAreNotDrawn() {
        let image = gray(32, 32)
        let low = DetectionBox(label: 0, score: 0.3, xmin: 2, ymin: 12, xmax: 20, ymax: 28)
        let drawn = DetectionAnnotator(threshold: 0.5).annotate(image, detections: [low], names: nil)
        XCTAssertEqual(drawn.pixels, image.converted(toChannels: 3).pixels)
        XCTAssertNotEqual(DetectionAnnotator(threshold: 0.3).annotate(image, detections: [low], names: nil).pixels, drawn.pixels,
                          "a score equal to the threshold is drawn")
    }

    func testBoxesOutsideTheImageAreClippedNotTrapping() {
        let boxes = [DetectionBox(label: 3, score: 1, xmin: -50, ymin: -1e9, xmax: 1e12, ymax: 70),
                     DetectionBox(label: 2, score: 1, xmin: .nan, ymin: 0, xmax: 4, ymax: 4)]
        let drawn = DetectionAnnotator(threshold: 0).annotate(gray(16, 16), detections: boxes, names: nil)
        XCTAssertEqual([drawn.width, drawn.height], [16, 16])
    }

    func testPredictionJSONKeysAndNames() throws {
        let p = DetectionPrediction(image: "a.jpg", imageID: 7, detection: DetectionBox(label: 2, score: 0.5, xmin: 1, ymin: 2, xmax: 3, ymax: 4),
                                    name: DetectionPrediction.name(of: 2, in: ["x", "y", "z"]))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: DetectionPrediction.json([p])) as? [[String: Any]]).first
        XCTAssertEqual(Set(try XCTUnwrap(object).keys), ["image", "image_id", "label", "name", "score", "bbox"])
        XCTAssertEqual(object?["name"] as? String, "z")
        XCTAssertEqual(object?["bbox"] as? [Double], [1, 2, 3, 4])
        XCTAssertEqual(DetectionPrediction.name(of: 5, in: ["x"]), "5", "unknown names are the ids")
        XCTAssertEqual(try JSONDecoder().decode([DetectionPrediction].self, from: DetectionPrediction.json([p])), [p])
    }

    func testOutputFolderReplacesOnlyItsOwnFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("detection-out-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var folder = try DetectionOutputFolder(path: dir)
        try folder.claim(["a.jpg"])
        try Data("mine".utf8).write(to: URL(fileURLWithPath: folder.file("a.jpg")))
        try Data("theirs".utf8).write(to: URL(fileURLWithPath: folder.file("b.jpg")))
        var again = try DetectionOutputFolder(path: dir)
        XCTAssertNoThrow(try again.claim(["a.jpg"]), "a file an earlier run wrote may be replaced")
        XCTAssertThrowsError(try again.claim(["b.jpg"])) { error in
            guard case let DataError.writeFailed(path, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("/b.jpg"), path)
        }
        XCTAssertThrowsError(try DetectionOutputFolder(path: folder.file("b.jpg")), "a file is not a folder")
    }
}
