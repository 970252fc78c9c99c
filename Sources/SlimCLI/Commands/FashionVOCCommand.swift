import ArgumentParser
import Foundation
import SlimTrain

/// `slim dataset fashion-voc`: a detection data set in PaddleDetection's VOC layout, made of
/// Fashion-MNIST items pasted on RGB canvases.
struct FashionVOCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion-voc",
        abstract: "Write a VOC-layout detection data set of Fashion-MNIST items on RGB canvases.",
        discussion: """
        Pastes 1-6 Fashion-MNIST items (40-140 pixels, boxes never overlapping) \
        on square canvases of dark noise and writes PaddleDetection's VOC layout: \
        JPEGImages/*.jpg, Annotations/*.xml (boxes tight around each item), \
        trainval.txt, test.txt, label_list.txt (the 10 class names). \
        Train pictures use the train split, test pictures the test split; the \
        same options always write the same bytes. OUTPUT must be new, empty, or \
        written by this command before. A model YAML reads it with

          dataset: {dataset_dir: OUTPUT, annotation: trainval.txt,
                    use_default_label: false}

        Example:
          slim dataset fashion-voc --output dataset/fashion_voc \\
            --train 2000 --test 500 --seed 0
        """
    )

    @Option(help: "The folder to write (new, empty, or written by this command before).")
    var output: String

    @Option(help: "Number of training pictures (trainval.txt).")
    var train: Int = 2000

    @Option(help: "Number of test pictures (test.txt).")
    var test: Int = 500

    @Option(help: "Random seed: the same seed writes the same files.")
    var seed: UInt64 = 0

    @Option(help: "Side of the square pictures in pixels (at least the largest item, 140).")
    var canvas: Int = 320

    @Option(help: "Folder of the Fashion-MNIST IDX files.")
    var source: String = IDXDataset.defaultFashionMNISTDirectory

    @OptionGroup var log: LogOptions

    func validate() throws {
        do { try generator.validate() } catch let error as DataError {
            throw ValidationError(error.description)
        }
    }

    private var generator: FashionVOCGenerator {
        var g = FashionVOCGenerator(train: train, test: test, seed: seed)
        g.canvas = canvas
        g.sourceDir = source
        return g
    }

    func run() throws {
        log.apply()
        try reportingErrors {
            let start = Date()
            let summary = try generator.generate(into: output) { printFlushed($0 + "\n") }
            let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
            printFlushed("wrote \(output): \(summary.trainImages) train + \(summary.testImages) test pictures, "
                         + "\(summary.objects) objects, \(canvas)x\(canvas) JPEG (\(seconds) s)\n")
        }
    }
}
