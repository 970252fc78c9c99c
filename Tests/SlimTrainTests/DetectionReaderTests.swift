import Foundation
import SlimConfig
import SlimTensor
import XCTest
@testable import SlimTrain

/// A model YAML whose `TrainReader` reads a two-image VOC set (PNG pictures of different sizes,
/// classes `cat`, `dog` from `label_list.txt`) through `VOCDataSet`.
final class DetectionReaderTests: XCTestCase {
    /// Writes the set: `a.png` 40x20 (w x h) RGB (10, 20, 30) with a difficult dog
    /// (4, 2, 20, 10); `b.png` 20x40 with a cat (0, 0, 10, 20) and a dog (5, 5, 15, 30).
    private func writeVOC(_ dir: String) throws {
        for sub in ["JPEGImages", "Annotations"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
        }
        let pictures: [(name: String, width: Int, height: Int, objects: [VOCAnnotationWriter.Object])] = [
            ("a", 40, 20, [.init(name: "dog", xmin: 4, ymin: 2, xmax: 20, ymax: 10, difficult: true)]),
            ("b", 20, 40, [.init(name: "cat", xmin: 0, ymin: 0, xmax: 10, ymax: 20), .init(name: "dog", xmin: 5, ymin: 5, xmax: 15, ymax: 30)]),
        ]
        var list = ""
        for p in pictures {
            let pixels = (0..<(p.width * p.height)).flatMap { _ -> [UInt8] in [10, 20, 30] }
            try ImageCodec.encodePNG(pixels: pixels, width: p.width, height: p.height, channels: 3, to: "\(dir)/JPEGImages/\(p.name).png")
            let xml = VOCAnnotationWriter.xml(folder: "JPEGImages", filename: "\(p.name).png", width: p.width, height: p.height,
                                              depth: 3, objects: p.objects)
            try writeFile(Array(xml.utf8), "\(dir)/Annotations/\(p.name).xml")
            list += "JPEGImages/\(p.name).png Annotations/\(p.name).xml\n"
        }
        try writeFile(Array(list.utf8), "\(dir)/trainval.txt")
        try writeFile(Array("cat\ndog\n".utf8), "\(dir)/label_list.txt")
    }

    /// The model YAML; `reader` and `dataset` lines are added to the reader and its data set.
    private func config(_ dir: String, type: String = "VOCDataSet", maxBoxes: String = "3", reader: [String] = [],
                        dataset: [String] = [], transforms: String = "  - !Resize {size: 16}", batchSize: Int = 2, imageShape: String = "[3, 16, 16]",
                        yaml: String? = nil) throws -> ModelConfig {
        let text = (["architecture: LeNet5", "TrainReader:", "  batch_size: \(batchSize)", "  image_shape: \(imageShape)",
                     "  num_max_boxes: \(maxBoxes)"] + reader.map { "  " + $0 }
                    + ["  dataset:", "    type: \(type)", "    dataset_dir: \(dir)", "    use_default_label: false"]
                    + dataset.map { "    " + $0 } + ["  transforms:", transforms]).joined(separator: "\n") + "\n"
        let path = yaml ?? "\(dir)/model.yml"
        try writeFile(Array(text.utf8), path)
        return try ModelConfig.load(path: path)
    }

    private func values<T>(_ tensor: Tensor?, as type: T.Type) throws -> [T] {
        try XCTUnwrap(tensor).withUnsafeElements(as: type) { Array($0) }
    }

    func testBatchesCarryResizedImagesAndPaddedGroundTruth() throws {
        let dir = try makeTempDirectory(self)
        try writeVOC(dir)
        let spec = try ReaderSpec(try config(dir, reader: ["shuffle: false"]), reader: .train)
        XCTAssertEqual(spec.numMaxBoxes, 3)
        XCTAssertEqual(spec.dataset.classNames, ["cat", "dog"])
        let batch = try spec.loader(seed: 1).next()
        XCTAssertEqual(batch.images.shape, [2, 3, 16, 16])
        XCTAssertEqual(batch[BoxBatch.box]?.shape, [2, 3, 4])
        let image = batch.images.floats
        XCTAssertEqual(image[0], 10 / 255, accuracy: 1e-6, "ToTensor scales the decoded RGB bytes")
        XCTAssertEqual(image[16 * 16], 20 / 255, accuracy: 1e-6, "channel 1 is green")
        XCTAssertEqual(image[3 * 16 * 16 + 2 * 16 * 16 + 5], 30 / 255, accuracy: 1e-6, "sample 1 channel 2 is blue")
        // a.png is 40 wide, 20 high: Resize to 16x16 scales x by 0.4 and y by 0.8, so the dog
        // (4, 2, 20, 10) becomes (1.6, 1.6, 8, 8). b.png (20x40) scales x by 0.8, y by 0.4.
        let expected: [Float] = [1.6, 1.6, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0, 0, 8, 8, 4, 2, 12, 12, 0, 0, 0, 0]
        for (got, want) in zip(try values(batch[BoxBatch.box], as: Float.self), expected) { XCTAssertEqual(got, want, accuracy: 1e-5) }
        XCTAssertEqual(try values(batch[BoxBatch.label], as: Int32.self), [1, 0, 0, 0, 1, 0])
        XCTAssertEqual(try values(batch[BoxBatch.difficult], as: Int32.self), [1, 0, 0, 0, 0, 0])
        XCTAssertEqual(try values(batch[BoxBatch.imageSize], as: Int32.self), [20, 40, 40, 20], "height, width before the transforms")
        XCTAssertEqual(batch.boxCounts, [1, 2])
        XCTAssertEqual(batch.imageIDs, [0, 1])
        XCTAssertEqual(batch.sampleNames, ["\(dir)/JPEGImages/a.png", "\(dir)/JPEGImages/b.png"])
    }

    func testWithBackgroundSampleNumAndTheDatasetDirOverride() throws {
        let dir = try makeTempDirectory(self)
        try writeVOC(dir)
        let spec = try ReaderSpec(try config("\(dir)/nonexistent", reader: ["with_background: true", "drop_last: false"],
                                             dataset: ["sample_num: 1"], yaml: "\(dir)/model.yml"), reader: .train, datasetDir: dir)
        XCTAssertEqual(spec.dataset.count, 1)
        XCTAssertEqual(spec.dataset.classNames, ["background", "cat", "dog"])
        let batch = try spec.loader(seed: 1).next()
        XCTAssertEqual(try values(batch[BoxBatch.label], as: Int32.self), [2, 0, 0], "dog is 2 when 0 is the background")
    }

    func testLoaderIsDeterministicAndResumes() throws {
        let dir = try makeTempDirectory(self)
        try writeVOC(dir)
        let spec = try ReaderSpec(try config(dir, transforms: "  - !Resize {size: 16}\n  - !RandomFlip {prob: 0.5}",
                                             batchSize: 1), reader: .train)
        let straight = try spec.loader(seed: 5)
        let all = try (0..<8).map { _ in try straight.next() }
        let direct = try DataLoader(dataset: spec.dataset, batchSize: 1, transforms: spec.transforms, seed: 5, prefetch: 0, numMaxBoxes: 3)
        XCTAssertEqual(try (0..<8).map { _ in try direct.next() }, all, "the same batches with and without prefetch")
        let resumed = try spec.loader(seed: 5, state: LoaderState(pass: 1, offset: 1))
        XCTAssertEqual(try (0..<5).map { _ in try resumed.next() }, Array(all[3...]))
        let xmins = all.filter { $0.indices == [0] }.compactMap { $0[BoxBatch.box]?.floats[0] }
        XCTAssertEqual(xmins.count, 4)
        XCTAssertEqual(Set(xmins.map { ($0 * 10).rounded() }), [16, 70], "RandomFlip moves a's box to 16 - 1 - 8 in some passes: \(xmins)")
    }

    /// Asserts that `body` throws a `ConfigError` at `line` whose text contains `fragment`.
    private func assertConfigError(line: Int, _ fragment: String, file: StaticString = #filePath, at: UInt = #line,
                                   _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected a ConfigError", file: file, line: at)
        } catch let error as ConfigError {
            XCTAssertEqual(error.diagnostics.first?.mark.line, line, "\(error)", file: file, line: at)
            XCTAssertTrue("\(error)".contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: at)
        } catch {
            XCTFail("expected ConfigError, got \(error)", file: file, line: at)
        }
    }

    func testConfigErrorsArePositioned() throws {
        let dir = try makeTempDirectory(self)
        try writeVOC(dir)
        assertConfigError(line: 10, "anotation") { _ = try self.config(dir, dataset: ["anotation: trainval.txt"]) }
        assertConfigError(line: 7, "VOCDataSet") { _ = try self.config(dir, type: "VOCDataset") }
        assertConfigError(line: 10, "sample_num") { _ = try ReaderSpec(try self.config(dir, dataset: ["sample_num: all"]), reader: .train) }
        assertConfigError(line: 5, "num_max_boxes") { _ = try ReaderSpec(try self.config(dir, maxBoxes: "0"), reader: .train) }
        assertConfigError(line: 11, "add a Resize") {
            _ = try ReaderSpec(try self.config(dir, transforms: "  - !RandomFlip {prob: 0.5}"), reader: .train)
        }
        assertConfigError(line: 4, "3 (RGB) channels") {
            _ = try ReaderSpec(try self.config(dir, imageShape: "[2, 16, 16]"), reader: .train)
        }
        assertConfigError(line: 4, "image_shape") {
            _ = try ReaderSpec(try self.config(dir, transforms: "  - !Resize {size: 12}"), reader: .train)
        }
    }

    func testMissingFilesAreIOErrors() throws {
        let dir = try makeTempDirectory(self)
        try writeVOC(dir)
        XCTAssertThrowsError(try ReaderSpec(try config(dir, dataset: ["annotation: missing.txt"]), reader: .train)) { error in
            XCTAssertEqual((error as? DataError)?.isIO, true, "\(error)")
            XCTAssertTrue("\(error)".contains("\(dir)/missing.txt"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: "\(dir)/JPEGImages/b.png")
        XCTAssertThrowsError(try ReaderSpec(try config(dir), reader: .train)) { error in
            XCTAssertEqual((error as? DataError)?.isIO, true, "\(error)")
            XCTAssertTrue("\(error)".contains("b.png"), "\(error)")
        }
    }

    func testAnImageOfAnotherSizeThanItsAnnotationDeclaresIsAnError() throws {
        let dir = try makeTempDirectory(self)
        try writeVOC(dir)
        let xml = VOCAnnotationWriter.xml(folder: "JPEGImages", filename: "b.png", width: 21, height: 40, depth: 3,
                                          objects: [.init(name: "cat", xmin: 0, ymin: 0, xmax: 10, ymax: 20)])
        try writeFile(Array(xml.utf8), "\(dir)/Annotations/b.xml")
        let spec = try ReaderSpec(try config(dir, reader: ["shuffle: false"]), reader: .train)
        assertDataError(["b.png", "decoded as 20x40", "declares 21x40"]) { _ = try spec.loader(seed: 0).next() }
    }

    func testCOCODataSetReadsTheJSONAndTheImageFolder() throws {
        let dir = try makeTempDirectory(self)
        try writeVOC(dir)
        let json = #"{"images": [{"id": 42, "file_name": "a.png", "width": 40, "height": 20}],"#
            + #" "categories": [{"id": 7, "name": "dog"}],"#
            + #" "annotations": [{"image_id": 42, "category_id": 7, "bbox": [4, 2, 16, 8]}]}"#
        try writeFile(Array(json.utf8), "\(dir)/instances.json")
        let spec = try ReaderSpec(try config(dir, type: "COCODataSet", reader: ["drop_last: false"],
                                             dataset: ["annotation: instances.json", "image_dir: JPEGImages"]), reader: .train)
        XCTAssertEqual(spec.dataset.classNames, ["dog"])
        let batch = try spec.loader(seed: 0).next()
        XCTAssertEqual(batch.imageIDs, [42])
        // [x, y, w, h] = [4, 2, 16, 8] is the corners (4, 2, 19, 9), scaled by (0.4, 0.8).
        let box = Array(try values(batch[BoxBatch.box], as: Float.self).prefix(4))
        for (got, want) in zip(box, [Float(1.6), 1.6, 7.6, 7.2]) { XCTAssertEqual(got, want, accuracy: 1e-5) }
    }
}
