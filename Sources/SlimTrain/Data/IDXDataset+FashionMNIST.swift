import Foundation

extension IDXDataset {
    /// Which half of a standard IDX data set to read.
    public enum Split: String, CaseIterable, Codable, Sendable {
        case train
        case test

        /// File-name prefix: `train` or `t10k`.
        public var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// Where the `dataset-fashion-mnist` package installs the data.
    public static let defaultFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// The Fashion-MNIST class names, indexed by label.
    public static let fashionMNISTClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Fashion-MNIST from `dir` (standard file names, `.gz` or uncompressed).
    public static func fashionMNIST(dir: String = defaultFashionMNISTDirectory, split: Split) throws -> IDXDataset {
        try standard(dir: dir, split: split, classNames: fashionMNISTClassNames)
    }

    /// MNIST from `dir` (same file names as Fashion-MNIST; classes "0" ... "9").
    public static func mnist(dir: String, split: Split) throws -> IDXDataset {
        try standard(dir: dir, split: split, classNames: (0..<10).map(String.init))
    }

    /// Paths of the image and label files of `split` in `dir`, preferring `.gz` when present.
    public static func standardPaths(dir: String, split: Split) -> (images: String, labels: String) {
        func pick(_ base: String) -> String {
            let plain = (dir as NSString).appendingPathComponent(base)
            return FileManager.default.fileExists(atPath: plain) ? plain : plain + ".gz"
        }
        return (pick("\(split.filePrefix)-images-idx3-ubyte"), pick("\(split.filePrefix)-labels-idx1-ubyte"))
    }

    private static func standard(dir: String, split: Split, classNames: [String]) throws -> IDXDataset {
        let paths = standardPaths(dir: dir, split: split)
        return try IDXDataset(images: paths.images, labels: paths.labels, classNames: classNames)
    }
}
