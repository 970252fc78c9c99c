import Foundation
import SlimConfig
import SlimTensor
import XCTest
@testable import SlimTrain

/// The feed classes' default pipelines on a generated fashion-voc set: batch shapes, normalized
/// boxes, mixup, and bit-identical batches for a seed and after resuming.
final class DetectionPipelineTests: XCTestCase {
    /// A fashion-voc set of 6 train and 3 test pictures (160x160) in a temporary folder.
    private func vocSet() throws -> String {
        let source = try makeTempDirectory(self)
        var cell = [UInt8](repeating: 0, count: 28 * 28)
        for y in 6...21 { for x in 6...21 { cell[y * 28 + x] = 255 } }
        for prefix in ["train", "t10k"] {
            try writeFile(idxBytes(magic: IDXFile.imageMagic, dims: [12, 28, 28], payload: (0..<12).flatMap { _ in cell }),
                          "\(source)/\(prefix)-images-idx3-ubyte")
            try writeFile(idxBytes(magic: IDXFile.labelMagic, dims: [12], payload: (0..<12).map { UInt8($0 % 10) }),
                          "\(source)/\(prefix)-labels-idx1-ubyte")
        }
        var generator = FashionVOCGenerator(train: 6, test: 3, seed: 9)
        generator.canvas = 160
        generator.sourceDir = source
        generator.threads = 1
        let out = try makeTempDirectory(self) + "/voc"
        _ = try generator.generate(into: out)
        return out
    }

    private func trainLoader(_ dataset: any Dataset, seed: UInt64, state: LoaderState = LoaderState(), prefetch: Int = 0,
                             mixupEpoch: Int = 250) throws -> DataLoader {
        let defaults = try XCTUnwrap(try FeedTransformDefaults.transforms(feedClass: "YoloTrainFeed", imageShape: [3, 96, 96]))
        return try DataLoader(dataset: dataset, batchSize: 2, transforms: defaults.sample, seed: seed, prefetch: prefetch, state: state,
                              batchTransforms: defaults.batch, mixupEpoch: mixupEpoch)
    }

    func testYoloFeedDefaultsBuildBatchesOfTheRightShapes() throws {
        let dir = try vocSet()
        let train = try DetectionDataset.voc(datasetDir: dir, annotation: "trainval.txt", useDefaultLabel: false, withBackground: false)
        let loader = try trainLoader(train, seed: 4)
        XCTAssertEqual(loader.sampleShape, [3, 96, 96])
        var sides = Set<Int>(), mixed = false
        for _ in 0..<6 {
            let batch = try loader.next()
            let shape = batch.images.shape
            XCTAssertEqual(Array(shape.prefix(2)), [2, 3])
            XCTAssertEqual(shape[2], shape[3])
            XCTAssertTrue(Array(stride(from: 320, through: 608, by: 32)).contains(shape[2]), "RandomShape size \(shape)")
            sides.insert(shape[2])
            XCTAssertEqual(batch["gt_box"]?.shape, [2, 50, 4])
            XCTAssertTrue(try XCTUnwrap(batch["gt_box"]).floats.allSatisfy { $0 >= 0 && $0 <= 1 }, "NormalizeBox: boxes in [0, 1]")
            let scores = try XCTUnwrap(batch["gt_score"]).floats
            XCTAssertTrue(scores.allSatisfy { $0 >= 0 && $0 <= 1 })
            if scores.contains(where: { $0 > 0 && $0 < 1 }) { mixed = true }
            XCTAssertTrue(batch.images.floats.allSatisfy(\.isFinite))
        }
        XCTAssertGreaterThan(sides.count, 1, "a size drawn per batch")
        XCTAssertTrue(mixed, "mixup gives scores f and 1 - f")

        let test = try DetectionDataset.voc(datasetDir: dir, annotation: "test.txt", useDefaultLabel: false, withBackground: false)
        let evalDefaults = try XCTUnwrap(try FeedTransformDefaults.transforms(feedClass: "YoloEvalFeed", imageShape: [3, 96, 96]))
        XCTAssertTrue(evalDefaults.batch.isEmpty)
        var eval = try DataLoader(dataset: test, batchSize: 2, shuffle: false, dropLast: false, transforms: evalDefaults.sample).evalBatches()
        let batch = try XCTUnwrap(try eval.next())
        XCTAssertEqual(batch.images.shape, [2, 3, 96, 96])
        XCTAssertTrue(try XCTUnwrap(batch["gt_box"]).floats.contains { $0 > 1 }, "eval boxes stay in pixels for the metric")
        XCTAssertNil(try FeedTransformDefaults.transforms(feedClass: "SSDTrainFeed", imageShape: [3, 96, 96]))
    }

    /// Same seed, same batches; a loader resumed from a saved state gives the batches that
    /// followed it, whatever the prefetch; another seed differs.
    func testSeededAndResumedLoadersGiveIdenticalBatches() throws {
        let train = try DetectionDataset.voc(datasetDir: try vocSet(), annotation: "trainval.txt", useDefaultLabel: false, withBackground: false)
        let a = try trainLoader(train, seed: 7, prefetch: 2)
        var first: [Batch] = [], states: [LoaderState] = []
        for _ in 0..<4 {
            first.append(try a.next())
            states.append(a.state)
        }
        let b = try trainLoader(train, seed: 7)
        for batch in first { XCTAssertEqual(try b.next(), batch) }
        let resumed = try trainLoader(train, seed: 7, state: states[1])
        XCTAssertEqual(try resumed.next(), first[2])
        XCTAssertEqual(try resumed.next(), first[3])
        XCTAssertNotEqual(try trainLoader(train, seed: 8).next(), first[0])
    }

    /// The mixup partner is a function of (seed, pass, index), never the sample itself, and
    /// there is none from `mixup_epoch` on.
    func testMixupPartnerIsSeededAndStopsAtMixupEpoch() throws {
        struct Flat: Dataset {
            var count: Int { 5 }
            var imageShape: [Int] { [1, 2, 2] }
            var classNames: [String]? { nil }
            var annotatesBoxes: Bool { true }
            func sample(_ i: Int) throws -> Sample {
                Sample(pixels: .floats([Float](repeating: Float(i), count: 4)), label: 0,
                       annotations: BoxAnnotations(boxes: [BoundingBox(xmin: 0, ymin: 0, xmax: 1, ymax: 1)], labels: [i]))
            }
        }
        var builder = try BatchBuilder(dataset: Flat(), transforms: [try MixupImage()], seed: 3)
        builder.mixupEpoch = 2
        let again = builder
        for index in 0..<5 {
            let partner = try XCTUnwrap(builder.mixupPartner(of: index, pass: 1))
            XCTAssertNotEqual(partner, index)
            XCTAssertEqual(again.mixupPartner(of: index, pass: 1), partner)
            XCTAssertNil(builder.mixupPartner(of: index, pass: 2))
        }
        let labels = try builder.transformed(0, pass: 0).sample.annotations?.labels ?? []
        XCTAssertTrue(labels.count == 2 || labels.count == 1, "\(labels)")
        XCTAssertEqual(try builder.transformed(0, pass: 5).sample.annotations?.labels, [0])
    }
}
