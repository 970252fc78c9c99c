import Foundation
import SlimTensor

/// Writes a small detection data set in PaddleDetection's VOC layout, made of real pictures:
/// Fashion-MNIST items (the `dataset-fashion-mnist` Debian package) pasted on square RGB canvases
/// (see `FashionVOCScene`).
///
///     OUTPUT/JPEGImages/NNNNNN.jpg     train pictures 0..<train, then test pictures
///     OUTPUT/Annotations/NNNNNN.xml    VOC XML: size, objects (name, difficult 0, bndbox)
///     OUTPUT/trainval.txt, test.txt    "JPEGImages/NNNNNN.jpg Annotations/NNNNNN.xml" lines
///     OUTPUT/label_list.txt            the 10 Fashion-MNIST class names (read with use_default_label: false)
///
/// Train pictures take items from the Fashion-MNIST train split, test pictures from the test
/// split. Picture `i` of a split depends only on the seed, the split and `i`, so the same options
/// always write the same bytes. Box coordinates are 0-based inclusive pixel indices.
///
/// The output folder must be new, empty, or one this generator wrote (it holds the marker
/// `.slim-fashion-voc` listing the files it wrote); every file is written atomically, and files
/// of an earlier run that the new one does not rewrite are removed.
public struct FashionVOCGenerator: Sendable {
    public var train: Int
    public var test: Int
    public var seed: UInt64
    public var canvas: Int = 320
    public var objects: ClosedRange<Int> = 1...6
    public var sizes: ClosedRange<Int> = 40...140
    public var quality = 95
    public var sourceDir: String = IDXDataset.defaultFashionMNISTDirectory
    /// Threads composing and encoding pictures (the output does not depend on it).
    public var threads = min(8, ProcessInfo.processInfo.activeProcessorCount)

    /// Name of the marker file in the output folder.
    public static let markerName = ".slim-fashion-voc"

    public init(train: Int, test: Int, seed: UInt64) {
        self.train = train
        self.test = test
        self.seed = seed
    }

    /// What `generate` wrote.
    public struct Summary: Equatable, Sendable {
        public var trainImages: Int, testImages: Int, objects: Int
    }

    /// Checks the options.
    /// - Throws: `DataError.invalidConfiguration` naming the option.
    public func validate() throws {
        func fail(_ text: String) -> DataError { .invalidConfiguration("fashion-voc: \(text)") }
        guard train >= 1, test >= 1, train <= 1_000_000, test <= 1_000_000 else { throw fail("--train and --test must be 1...1000000, got \(train) and \(test)") }
        guard sizes.lowerBound >= 28 else { throw fail("item sizes must be at least 28 pixels, got \(sizes)") }
        guard (64...4096).contains(canvas), canvas >= sizes.upperBound else {
            throw fail("--canvas must be 64...4096 and at least the largest item size \(sizes.upperBound), got \(canvas)")
        }
        guard objects.lowerBound >= 1, objects.upperBound <= 64 else { throw fail("objects per picture must be within 1...64, got \(objects)") }
        guard (1...100).contains(quality) else { throw fail("JPEG quality must be 1...100, got \(quality)") }
    }

    /// Writes the data set into `output`.
    /// - Throws: `DataError.invalidConfiguration` for bad options; `DataError.writeFailed` (exit 74)
    ///   when `output` is a file or a non-empty folder this generator did not write, or a write
    ///   fails; `DataError` from reading Fashion-MNIST.
    public func generate(into output: String, progress: (String) -> Void = { _ in }) throws -> Summary {
        try validate()
        let sources = [try IDXDataset.fashionMNIST(dir: sourceDir, split: .train),
                       try IDXDataset.fashionMNIST(dir: sourceDir, split: .test)]
        let folder = try OutputFolder(path: output, marker: Self.markerName)
        try folder.makeDirectories(["JPEGImages", "Annotations"])
        try folder.plan((0..<(train + test)).flatMap { ["JPEGImages/\(Self.name($0)).jpg", "Annotations/\(Self.name($0)).xml"] }
                        + ["trainval.txt", "test.txt", "label_list.txt"])
        var written: [String] = []
        var objectCount = 0
        for (s, split) in [IDXDataset.Split.train, .test].enumerated() {
            let count = split == .train ? train : test
            let first = split == .train ? 0 : train
            objectCount += try writePictures(split: split, count: count, first: first, source: sources[s], folder: folder)
            var list = ""
            for i in 0..<count {
                let name = Self.name(first + i)
                list += "JPEGImages/\(name).jpg Annotations/\(name).xml\n"
                written += ["JPEGImages/\(name).jpg", "Annotations/\(name).xml"]
            }
            progress("\(split.rawValue): \(count) pictures")
            let listName = split == .train ? "trainval.txt" : "test.txt"
            try folder.write(Array(list.utf8), to: listName)
            written.append(listName)
        }
        try folder.write(Array((IDXDataset.fashionMNISTClassNames.joined(separator: "\n") + "\n").utf8), to: "label_list.txt")
        written.append("label_list.txt")
        try folder.finish(written: written)
        return Summary(trainImages: train, testImages: test, objects: objectCount)
    }

    /// File name stem of picture `n` (train pictures first, then test pictures).
    static func name(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Writes pictures `0..<count` of `split` (files `first...`) on `threads` threads, picture `i`
    /// on thread `i % threads` (each picture depends only on its index, so the bytes do not
    /// depend on the thread count); returns the number of objects. The first error is thrown
    /// once every thread has stopped.
    private func writePictures(split: IDXDataset.Split, count: Int, first: Int, source: IDXDataset,
                               folder: OutputFolder) throws -> Int {
        let workers = max(1, min(threads, count))
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: count, by: workers) where !tally.failed {
                do {
                    tally.add(try writePicture(Self.name(first + i), index: i, split: split, source: source, folder: folder))
                } catch {
                    tally.fail(error)
                }
            }
        }
        if let error = tally.error { throw error }
        return tally.objects
    }

    /// Composes, encodes and writes picture `index` of `split` and its XML; returns its object count.
    private func writePicture(_ name: String, index: Int, split: IDXDataset.Split, source: IDXDataset,
                              folder: OutputFolder) throws -> Int {
        var rng = SeededGenerator(seed: seed ^ (split == .train ? 0x7472_6169_6E00_0000 : 0x7465_7374_0000_0000) ^ UInt64(index))
        let count = objects.lowerBound + FashionVOCScene.uniform(objects.count, &rng)
        let scene = FashionVOCScene(side: canvas, source: source, objects: count, sizes: sizes, rng: &rng)
        let jpeg = try ImageCodec.encodeJPEG(pixels: scene.pixels, width: canvas, height: canvas, channels: 3,
                                             quality: quality, path: folder.path(of: "JPEGImages/\(name).jpg"))
        try folder.write(jpeg, to: "JPEGImages/\(name).jpg")
        let objects = scene.items.map {
            VOCAnnotationWriter.Object(name: IDXDataset.fashionMNISTClassNames[$0.label],
                                       xmin: $0.xmin, ymin: $0.ymin, xmax: $0.xmax, ymax: $0.ymax)
        }
        let xml = VOCAnnotationWriter.xml(folder: "JPEGImages", filename: "\(name).jpg", width: canvas, height: canvas,
                                          depth: 3, objects: objects)
        try folder.write(Array(xml.utf8), to: "Annotations/\(name).xml")
        return objects.count
    }
}

/// Object count and first error of the picture threads.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var firstError: Error?

    var objects: Int { lock.withLock { count } }
    var error: Error? { lock.withLock { firstError } }
    var failed: Bool { error != nil }

    func add(_ n: Int) { lock.withLock { count += n } }
    func fail(_ error: Error) { lock.withLock { if firstError == nil { firstError = error } } }
}
