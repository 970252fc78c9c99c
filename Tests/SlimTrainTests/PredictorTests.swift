import SlimGraph
import SlimTensor
import XCTest
@testable import SlimTrain

/// A freshly initialised zoo LeNet-5 pruned to its inference program (image -> softmax), as a
/// model directory stores it.
func tinyClassifier(classes: Int = 10) throws -> (program: Program, params: [String: Tensor], logits: String) {
    let built = try ModelZoo.model("LeNet5", options: .init(), numClasses: classes).build(inputShape: [1, 28, 28], seed: 3)
    let program = try built.program.pruned(feeds: [built.image], fetches: [built.head.output])
    let persistable = Set(program.persistables.map(\.name))
    let softmax = try XCTUnwrap(program.ops.first { $0.type == "softmax" })
    return (program, built.params.filter { persistable.contains($0.key) }, try XCTUnwrap(softmax.inputs["X"]?.first))
}

/// A gray test picture whose pixel `(y, x)` is `(7x + 3y + seed) mod 256`.
func patternImage(width: Int = 28, height: Int = 28, channels: Int = 1, seed: Int = 0) -> DecodedImage {
    var pixels: [UInt8] = []
    for y in 0..<height { for x in 0..<width { for c in 0..<channels { pixels.append(UInt8((7 * x + 3 * y + 50 * c + seed) % 256)) } } }
    return DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
}

final class PredictorTests: XCTestCase {
    var transforms: [any Transform] = []

    override func setUpWithError() throws {
        transforms = [ToTensor(), try Normalize(mean: [0.2860], std: [0.3530])]
    }

    func testTopKOrdersByProbabilityThenClassID() {
        XCTAssertEqual(Predictor.topK([0.1, 0.3, 0.3, 0.2, 0.1], k: 3), [1, 2, 3])
        XCTAssertEqual(Predictor.topK([0.5, 0.5], k: 5), [0, 1])
    }

    func testPredictionsAreTheModelsTopKProbabilities() throws {
        let model = try tinyClassifier()
        let names = IDXDataset.fashionMNISTClassNames
        let predictor = try Predictor(program: model.program, params: model.params, transforms: transforms, classNames: names)
        XCTAssertEqual(predictor.imageShape, [1, 28, 28])
        XCTAssertEqual(predictor.numClasses, 10)
        let images = [patternImage(seed: 0), patternImage(seed: 90)]
        let ranked = try predictor.predict(images, topK: 5)
        XCTAssertEqual(ranked.count, 2)

        // Reference: the program run directly on the hand-prepared batch.
        let batch = images.flatMap { image in
            image.pixels.map { (Float($0) / 255 - 0.2860) / 0.3530 }
        }
        let direct = try Executor(program: model.program).run(
            feeds: ["image": Tensor(shape: [2, 1, 28, 28], floats: batch)], scope: Scope(model.params), mode: .eval)
        let probabilities = try XCTUnwrap(direct[model.program.fetches[0]]).floats
        for (i, predictions) in ranked.enumerated() {
            let row = Array(probabilities[(10 * i)..<(10 * i + 10)])
            let expected = row.indices.sorted { row[$0] > row[$1] }.prefix(5)
            XCTAssertEqual(predictions.map(\.classID), Array(expected))
            for p in predictions {
                XCTAssertEqual(p.probability, row[p.classID], accuracy: 1e-6)
                XCTAssertEqual(p.label, names[p.classID])
            }
            XCTAssertLessThanOrEqual(predictions.map(\.probability).reduce(0, +), 1 + 1e-5)
        }
    }

    func testPrepareConvertsChannelsResizesAndTransforms() throws {
        let model = try tinyClassifier()
        let predictor = try Predictor(program: model.program, params: model.params, transforms: [ToTensor()])
        let rgb = patternImage(width: 40, height: 30, channels: 3)
        let prepared = predictor.prepare(rgb)
        XCTAssertEqual(prepared.shape, [1, 28, 28])
        let expected = rgb.converted(toChannels: 1).resized(to: ImageSize(28)).pixels.map { Float($0) / 255 }
        XCTAssertEqual(prepared.data, expected)
        XCTAssertEqual(predictor.label(3), "3", "without class names a class is labelled by its id")
        XCTAssertEqual(try predictor.predict([rgb], topK: 20)[0].count, 10, "top-k is capped at the classes")
    }

    func testGrayImagesAreReplicatedForAnRGBModel() throws {
        let built = try tinyRGBClassifier()
        let predictor = try Predictor(program: built.program, params: built.params, transforms: [ToTensor()])
        XCTAssertEqual(predictor.imageShape, [3, 8, 8])
        let prepared = predictor.prepare(patternImage(width: 8, height: 8))
        XCTAssertEqual(Array(prepared.data[0..<64]), Array(prepared.data[64..<128]))
        XCTAssertEqual(try predictor.predict([patternImage()], topK: 1)[0].count, 1)
    }

    func testConfigurationMismatchesAreErrors() throws {
        let model = try tinyClassifier()
        XCTAssertThrowsError(try Predictor(program: model.program, params: model.params, transforms: transforms, imageShape: [3, 32, 32])) {
            XCTAssertTrue("\($0)".contains("image_shape is [3, 32, 32]"), "\($0)")
        }
        XCTAssertThrowsError(try Predictor(program: model.program, params: model.params, transforms: transforms, classNames: ["a", "b"])) {
            XCTAssertTrue("\($0)".contains("2 class names for a model of 10 classes"), "\($0)")
        }
        XCTAssertThrowsError(try Predictor(program: model.program, params: model.params, transforms: [try Resize(size: ImageSize(32))])) {
            XCTAssertTrue("\($0)".contains("turn images of [1, 28, 28] into [1, 32, 32]"), "\($0)")
        }
    }

    func testLogitsAreNotMistakenForProbabilities() throws {
        let model = try tinyClassifier()
        let logits = try model.program.pruned(feeds: ["image"], fetches: [model.logits])
        let predictor = try Predictor(program: logits, params: model.params.filter { logits.variable($0.key) != nil }, transforms: transforms)
        XCTAssertThrowsError(try predictor.predict([patternImage(seed: 1)], topK: 1)) {
            XCTAssertTrue("\($0)".contains("not a probability distribution"), "\($0)")
        }
    }
}

/// A CIFAR ResNet-8 with 4 classes on 3x8x8 images, pruned to image -> softmax.
func tinyRGBClassifier() throws -> (program: Program, params: [String: Tensor]) {
    let built = try ResNet(numClasses: 4, depth: 8, variant: .cifar).build(inputShape: [3, 8, 8], seed: 1)
    let program = try built.program.pruned(feeds: [built.image], fetches: [built.head.output])
    return (program, built.params.filter { program.variable($0.key) != nil })
}
