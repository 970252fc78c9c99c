import Foundation
import XCTest
@testable import SlimTensor
@testable import SlimTrain

final class FashionVOCGeneratorTests: XCTestCase {
    /// Item `i`: a filled rectangle of 255 at rows `5...20`, columns `8...18` (the rest 0),
    /// moved right by `i % 3` columns; label `i % 10`.
    private func itemPixels(_ i: Int) -> [UInt8] {
        var cell = [UInt8](repeating: 0, count: 28 * 28)
        for y in 5...20 { for x in (8 + i % 3)...(18 + i % 3) { cell[y * 28 + x] = 255 } }
        return cell
    }

    /// A Fashion-MNIST-shaped source folder of `count` rectangle items per split.
    private func makeSource(count: Int = 12) throws -> String {
        let dir = try makeTempDirectory(self)
        for prefix in ["train", "t10k"] {
            let images = idxBytes(magic: IDXFile.imageMagic, dims: [count, 28, 28], payload: (0..<count).flatMap(itemPixels))
            let labels = idxBytes(magic: IDXFile.labelMagic, dims: [count], payload: (0..<count).map { UInt8($0 % 10) })
            try writeFile(images, "\(dir)/\(prefix)-images-idx3-ubyte")
            try writeFile(labels, "\(dir)/\(prefix)-labels-idx1-ubyte")
        }
        return dir
    }

    private func generator(_ source: String, train: Int = 4, test: Int = 3, seed: UInt64 = 5) -> FashionVOCGenerator {
        var g = FashionVOCGenerator(train: train, test: test, seed: seed)
        g.canvas = 160
        g.sourceDir = source
        g.threads = 3
        return g
    }

    func testInkBoxIsTightAroundTheScaledItem() throws {
        let source = try IDXDataset.fashionMNIST(dir: makeSource(), split: .train)
        // 2x bilinear with half-pixel centres: output x samples source u = x / 2 - 0.25; the ink
        // (value >= 16) starts where 255 * (u - 7) >= 16 (x >= 14.6) and ends where
        // 255 * (19 - u) >= 16 (x <= 38.4); rows likewise from 4.06 and to 20.94.
        let ink = FashionVOCScene.scaledInk(source, 0, size: 56)
        let box = try XCTUnwrap(ink.box)
        XCTAssertEqual([box.x0, box.y0, box.x1, box.y1], [15, 9, 38, 42])
    }

    func testSceneBoxesHoldAllInkAndNeverOverlap() throws {
        let source = try IDXDataset.fashionMNIST(dir: makeSource(), split: .train)
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<20 {
            let scene = FashionVOCScene(side: 160, source: source, objects: 6, sizes: 40...80, rng: &rng)
            XCTAssertFalse(scene.items.isEmpty)
            for (i, a) in scene.items.enumerated() {
                XCTAssertTrue(a.xmin >= 0 && a.ymin >= 0 && a.xmax < 160 && a.ymax < 160 && a.xmin < a.xmax && a.ymin < a.ymax)
                for b in scene.items[(i + 1)...] {
                    XCTAssertTrue(a.xmax + 2 < b.xmin || b.xmax + 2 < a.xmin || a.ymax + 2 < b.ymin || b.ymax + 2 < a.ymin, "\(a) \(b)")
                }
            }
            // The background never exceeds 71 and ink only raises pixels: outside every box nothing is painted.
            for y in 0..<160 {
                for x in 0..<160 where !scene.items.contains(where: { x >= $0.xmin && x <= $0.xmax && y >= $0.ymin && y <= $0.ymax }) {
                    XCTAssertLessThanOrEqual(scene.pixels[(y * 160 + x) * 3 ..< (y * 160 + x) * 3 + 3].max() ?? 0, 71, "(\(x), \(y))")
                }
            }
        }
    }

    func testOutputParsesBackWithTheVOCReader() throws {
        let out = try makeTempDirectory(self) + "/voc"
        let summary = try generator(makeSource()).generate(into: out)
        let (train, labels) = try VOCAnnotationReader(datasetDir: out, annotation: "trainval.txt", useDefaultLabel: false).read()
        let (test, _) = try VOCAnnotationReader(datasetDir: out, annotation: "test.txt", useDefaultLabel: false).read()
        XCTAssertEqual(labels.names, IDXDataset.fashionMNISTClassNames)
        XCTAssertEqual(train.count, 4)
        XCTAssertEqual(test.count, 3)
        XCTAssertEqual(train.map(\.objects.count).reduce(0, +) + test.map(\.objects.count).reduce(0, +), summary.objects)
        XCTAssertEqual(test[0].imagePath, out + "/JPEGImages/000004.jpg")
        for record in train + test {
            let image = try ImageCodec.decode(path: record.imagePath)
            XCTAssertEqual([image.width, image.height, image.channels], [160, 160, 3])
            XCTAssertEqual(record.width, 160)
            for object in record.objects {
                XCTAssertTrue(object.box.width >= 10 && object.box.width < 80, "\(object.box)")
                XCTAssertFalse(object.difficult)
            }
        }
    }

    func testSameSeedWritesTheSameBytesOnAnyThreadCountAndAnotherSeedDoesNot() throws {
        let source = try makeSource()
        let base = try makeTempDirectory(self)
        _ = try generator(source).generate(into: base + "/a")
        var oneThread = generator(source)
        oneThread.threads = 1
        _ = try oneThread.generate(into: base + "/b")
        _ = try generator(source, seed: 6).generate(into: base + "/c")
        let files = try FileManager.default.subpathsOfDirectory(atPath: base + "/a").sorted()
        XCTAssertEqual(files, try FileManager.default.subpathsOfDirectory(atPath: base + "/b").sorted())
        XCTAssertTrue(files.contains("JPEGImages/000006.jpg") && files.contains(FashionVOCGenerator.markerName))
        for file in files {
            XCTAssertEqual(FileManager.default.contents(atPath: "\(base)/a/\(file)"), FileManager.default.contents(atPath: "\(base)/b/\(file)"), file)
        }
        XCTAssertNotEqual(FileManager.default.contents(atPath: base + "/a/JPEGImages/000000.jpg"),
                          FileManager.default.contents(atPath: base + "/c/JPEGImages/000000.jpg"))
    }

    func testRefusesAFolderItDidNotWriteAndRewritesItsOwn() throws {
        let source = try makeSource()
        let foreign = try makeTempDirectory(self)
        try writeFile(Array("mine".utf8), foreign + "/notes.txt")
        XCTAssertThrowsError(try generator(source).generate(into: foreign)) { error in
            XCTAssertEqual((error as? DataError)?.isIO, true)
            XCTAssertTrue("\(error)".contains("not empty"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: foreign), ["notes.txt"], "nothing written")
        let file = foreign + "/notes.txt"
        XCTAssertThrowsError(try generator(source).generate(into: file)) { XCTAssertEqual(($0 as? DataError)?.isIO, true) }

        let own = try makeTempDirectory(self) + "/voc"
        _ = try generator(source, train: 4, test: 3).generate(into: own)
        _ = try generator(source, train: 2, test: 1).generate(into: own)
        let files = try FileManager.default.contentsOfDirectory(atPath: own + "/JPEGImages").sorted()
        XCTAssertEqual(files, ["000000.jpg", "000001.jpg", "000002.jpg"], "files of the first run it no longer writes are removed")
    }

    func testInvalidOptionsAreConfigurationErrors() throws {
        var g = generator("/nonexistent")
        g.canvas = 100
        assertDataError(["--canvas"]) { try g.validate() }
        assertDataError(["--train"]) { try generator("/nonexistent", train: 0).validate() }
        XCTAssertThrowsError(try generator("/nonexistent").generate(into: makeTempDirectory(self) + "/x")) {
            XCTAssertEqual(($0 as? DataError)?.isIO, true, "missing Fashion-MNIST files")
        }
    }

    func testAnnotationWriterEscapesNamesAndReadsBack() throws {
        let dir = try makeTempDirectory(self)
        let text = VOCAnnotationWriter.xml(folder: "F", filename: "a.jpg", width: 50, height: 40, depth: 3, objects: [
            .init(name: "x & <y> \"z\"", xmin: 1, ymin: 2, xmax: 30, ymax: 39),
        ])
        try writeFile(Array(text.utf8), dir + "/a.xml")
        let labels = DetectionLabelMap(names: ["x & <y> \"z\""])
        let record = try VOCAnnotationFile(path: dir + "/a.xml", labels: labels).record(imagePath: "a.jpg", defaultID: 3)
        XCTAssertEqual(record.objects, [GroundTruthBox(label: 0, box: BoundingBox(xmin: 1, ymin: 2, xmax: 30, ymax: 39))])
        XCTAssertEqual([record.width, record.height, record.imageID], [50, 40, 3])
    }
}
