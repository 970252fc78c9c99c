import Foundation
import SlimGraph
import XCTest
@testable import SlimTrain

/// `InferenceRun`: batches over files, skips what is not an image, writes annotated PNGs and
/// `predictions.json`.
final class PredictorRunTests: XCTestCase {
    func testRunClassifiesImagesSkipsTheRestAndWritesOutputs() throws {
        let dir = try makeTempDirectory(self)
        let model = try tinyClassifier()
        let predictor = try Predictor(program: model.program, params: model.params, transforms: [ToTensor()],
                                      classNames: IDXDataset.fashionMNISTClassNames)
        let inputs = dir + "/in"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        try ImageCodec.encodePNG(patternImage(seed: 1), to: inputs + "/a.png")
        let rgb = patternImage(width: 20, height: 24, channels: 3, seed: 2)
        try writeFile(encodeJPEGForTest(pixels: rgb.pixels, width: 20, height: 24, channels: 3), inputs + "/b.png")  // a JPEG named .png
        try writeFile(Array("not an image".utf8), inputs + "/c.txt")
        try ImageCodec.encodePNG(patternImage(seed: 3), to: inputs + "/d")
        try writeFile([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], inputs + "/e.png")  // truncated PNG
        try writeFile([1], inputs + "/.hidden")
        try FileManager.default.createDirectory(atPath: inputs + "/sub", withIntermediateDirectories: true)

        let files = try InferenceInputs.files(inDirectory: inputs)
        XCTAssertEqual(files.map { ($0 as NSString).lastPathComponent }, ["a.png", "b.png", "c.txt", "d", "e.png"])
        var skipped: [InferenceRun.Skipped] = [], printed: [String] = []
        let run = InferenceRun(predictor: predictor, batchSize: 2, topK: 3, outputDir: dir + "/out")
        let results = try run.run(files: files, onSkip: { skipped.append($0) }, onPrediction: { printed.append($0.summary) })

        XCTAssertEqual(results.map(\.file), [inputs + "/a.png", inputs + "/b.png", inputs + "/d"])
        XCTAssertEqual(skipped.map(\.file), [inputs + "/c.txt", inputs + "/e.png"])
        XCTAssertTrue(skipped[0].reason.hasPrefix("expected a PNG or JPEG signature"), skipped[0].reason)
        XCTAssertEqual(printed.count, 3)
        XCTAssertTrue(printed[0].hasPrefix(inputs + "/a.png: \(results[0].predictions[0].label) (0."), printed[0])
        let decoded = try JSONDecoder().decode([ImagePrediction].self, from: Data(contentsOf: URL(fileURLWithPath: run.predictionsPath)))
        XCTAssertEqual(decoded, results)
        for result in results { XCTAssertEqual(result.predictions.count, 3) }
        for name in ["a.png", "b.png", "d.png"] {
            let annotated = try ImageCodec.decode(path: dir + "/out/" + name)
            XCTAssertEqual(annotated.channels, 3, name)
            XCTAssertGreaterThanOrEqual(annotated.width, 112, name)
        }
    }

    func testPredictionsJSONUsesTheDocumentedKeys() throws {
        let entry = ImagePrediction(file: "img/a.png", predictions: [Prediction(classID: 7, label: "Sneaker", probability: 0.5)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        XCTAssertEqual(String(decoding: try encoder.encode(entry), as: UTF8.self),
                       #"{"file":"img/a.png","predictions":[{"class_id":7,"label":"Sneaker","probability":0.5}]}"#)
        XCTAssertEqual(entry.summary, "img/a.png: Sneaker (0.5000)")
    }

    func testAnnotatedNamesNeverCollide() {
        XCTAssertEqual(InferenceInputs.annotatedNames(["d/a.png", "d/b.jpg", "d/c"]), ["a.png", "b.png", "c.png"])
        XCTAssertEqual(InferenceInputs.annotatedNames(["d/a.png", "d/a.jpg", "d/a.jpg.png"]), ["a.png.png", "a.jpg.png", "a.jpg-2.png"])
    }

    func testMissingFolderIsADataError() {
        assertDataError(["/no/such/folder", "no such folder"]) { _ = try InferenceInputs.files(inDirectory: "/no/such/folder") }
    }

    func testAnnotatorUpscalesAndDrawsTheCaptionAboveThePicture() {
        let image = patternImage()
        let annotated = ImageAnnotator().annotate(image, text: InferenceRun.caption(Prediction(classID: 9, label: "Ankle boot", probability: 0.934)))
        XCTAssertEqual(InferenceRun.caption(Prediction(classID: 9, label: "Ankle boot", probability: 0.934)), "Ankle boot 0.93")
        XCTAssertEqual(annotated.width, 112)
        XCTAssertEqual(annotated.channels, 3)
        let banner = annotated.height - 112
        XCTAssertEqual(banner, 7 + 4)
        // The picture, 4x nearest-neighbour, sits below the banner; the banner holds white text on black.
        for (y, x) in [(0, 0), (5, 9), (27, 27), (13, 2)] {
            let p = ((banner + 4 * y + 3) * 112 + 4 * x + 1) * 3
            XCTAssertEqual(Array(annotated.pixels[p..<(p + 3)]), Array(repeating: image.pixels[y * 28 + x], count: 3))
        }
        let bannerPixels = annotated.pixels[0..<(banner * 112 * 3)]
        XCTAssertTrue(bannerPixels.contains(255) && bannerPixels.contains(0))
        let wide = ImageAnnotator().annotate(image, text: String(repeating: "x", count: 30))
        XCTAssertEqual(wide.width, 30 * 6 - 1 + 4, "the canvas widens for long captions")
    }

    func testLabelListReadsOneNamePerLine() throws {
        let dir = try makeTempDirectory(self)
        try writeFile(Array("cat\r\n  dog \n\nbird\n".utf8), dir + "/labels.txt")
        XCTAssertEqual(try LabelList.read(path: dir + "/labels.txt"), ["cat", "dog", "bird"])
        try writeFile(Array("\n \n".utf8), dir + "/empty.txt")
        assertDataError(["empty.txt", "no class names"]) { _ = try LabelList.read(path: dir + "/empty.txt") }
        assertDataError(["missing.txt", "no such file"]) { _ = try LabelList.read(path: dir + "/missing.txt") }
    }
}
