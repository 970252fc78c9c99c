import Foundation
import SlimConfig
import XCTest
@testable import SlimTrain

/// `slim dataset fashion-voc` output read back through a `VOCDataSet` reader with the default
/// annotation lists (`trainval.txt` for the train reader, `test.txt` for the others).
final class FashionVOCReaderTests: XCTestCase {
    /// A Fashion-MNIST-shaped source: `count` items per split, item `i` a filled square, label `i % 10`.
    private func makeSource(count: Int = 12) throws -> String {
        let dir = try makeTempDirectory(self)
        var cell = [UInt8](repeating: 0, count: 28 * 28)
        for y in 6...21 { for x in 6...21 { cell[y * 28 + x] = 255 } }
        for prefix in ["train", "t10k"] {
            let images = idxBytes(magic: IDXFile.imageMagic, dims: [count, 28, 28], payload: (0..<count).flatMap { _ in cell })
            let labels = idxBytes(magic: IDXFile.labelMagic, dims: [count], payload: (0..<count).map { UInt8($0 % 10) })
            try writeFile(images, "\(dir)/\(prefix)-images-idx3-ubyte")
            try writeFile(labels, "\(dir)/\(prefix)-labels-idx1-ubyte")
        }
        return dir
    }

    func testGeneratedSetFeedsTrainAndEvalReaders() throws {
        var generator = FashionVOCGenerator(train: 4, test: 3, seed: 5)
        generator.canvas = 160
        generator.sourceDir = try makeSource()
        generator.threads = 1
        let out = try makeTempDirectory(self) + "/voc"
        let summary = try generator.generate(into: out)
        let reader = ["  image_shape: [3, 80, 80]", "  dataset: {type: VOCDataSet, use_default_label: false}",
                      "  transforms:", "  - !Resize {size: 80}"]
        let yaml = (["architecture: LeNet5", "TrainReader:", "  batch_size: 2"] + reader
                    + ["EvalReader:", "  batch_size: 2"] + reader).joined(separator: "\n") + "\n"
        let path = try makeTempDirectory(self) + "/model.yml"
        try writeFile(Array(yaml.utf8), path)
        let config = try ModelConfig.load(path: path)
        let train = try ReaderSpec(config, reader: .train, datasetDir: out)
        let eval = try ReaderSpec(config, reader: .eval, datasetDir: out)
        XCTAssertEqual([train.dataset.count, eval.dataset.count], [summary.trainImages, summary.testImages])
        XCTAssertEqual(train.dataset.classNames, IDXDataset.fashionMNISTClassNames)
        let batch = try train.loader(seed: 0).next()
        XCTAssertEqual(batch.images.shape, [2, 3, 80, 80])
        XCTAssertEqual(batch["im_size"]?.shape, [2, 2])
        let sizes = try XCTUnwrap(batch["im_size"]).withUnsafeElements(as: Int32.self) { Array($0) }
        XCTAssertEqual(sizes, [160, 160, 160, 160])
        let counts = try XCTUnwrap(batch.boxCounts)
        XCTAssertTrue(counts.allSatisfy { $0 >= 1 }, "\(counts)")
        let boxes = try XCTUnwrap(batch["gt_box"]).floats
        XCTAssertTrue(boxes.allSatisfy { $0 >= 0 && $0 <= 80 }, "boxes are halved with the 160 -> 80 resize")
        let evalBatches = try eval.loader(seed: 0).evalBatches()
        XCTAssertEqual(evalBatches.count, 2, "3 test pictures in batches of 2")
    }
}
