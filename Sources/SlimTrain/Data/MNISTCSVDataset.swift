import Foundation

/// A data set from a CSV file with one sample per line: `label,p0,p1,...,pN-1` (pixel values
/// 0...255, row-major), as in Kaggle's MNIST / Fashion-MNIST CSV exports. A first line that
/// does not start with an integer is taken as a header and skipped.
///
/// The sample shape is `[1, s, s]` when the pixel count is a square `s*s`, else `[1, 1, N]`,
/// unless `imageShape` is given.
public struct MNISTCSVDataset: Dataset, Sendable {
    public let path: String
    public let imageShape: [Int]
    public let classNames: [String]?
    private let pixels: [UInt8]
    private let labels: [Int]

    /// Reads and validates the whole file (plain or `.gz`).
    /// - Throws: `DataError` naming the file and line for a missing file, a row with the wrong
    ///   number of fields, a non-integer or out-of-range value, or an empty file.
    public init(path: String, imageShape: [Int]? = nil, classNames: [String]? = nil) throws {
        let bytes = try GzipFile.readAll(path: path)
        var parser = CSVRowParser(bytes: bytes, path: path)
        var pixels: [UInt8] = []
        var labels: [Int] = []
        var width: Int?
        while let row = try parser.nextRow(skipHeader: labels.isEmpty && width == nil) {
            if width == nil { width = row.values.count }
            guard row.values.count == width, row.values.count >= 2 else {
                throw DataError.malformed(path: path, reason:
                    "line \(row.line): expected \(width ?? 2) fields (label and pixels), found \(row.values.count)")
            }
            try Self.check(row, path: path, classCount: classNames?.count)
            labels.append(row.values[0])
            pixels.append(contentsOf: row.values.dropFirst().map { UInt8($0) })
        }
        guard let width, !labels.isEmpty else {
            throw DataError.malformed(path: path, reason: "no samples: expected lines of label,p0,...,pN")
        }
        let shape = imageShape ?? Self.defaultShape(pixelCount: width - 1)
        guard shape.count == 3, shape.reduce(1, *) == width - 1 else {
            throw DataError.mismatch(path: path, reason: "rows hold \(width - 1) pixels, which does not fit shape \(shape)")
        }
        self.path = path
        self.imageShape = shape
        self.classNames = classNames
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    public func sample(_ i: Int) throws -> Sample {
        let size = imageShape.reduce(1, *)
        return Sample(pixels: .bytes(Array(pixels[(i * size)..<((i + 1) * size)])), label: labels[i])
    }

    public func sampleName(_ i: Int) -> String { "\(path) sample \(i)" }

    private static func check(_ row: CSVRowParser.Row, path: String, classCount: Int?) throws {
        let label = row.values[0]
        if label < 0 || (classCount.map { label >= $0 } ?? false) {
            throw DataError.malformed(path: path, reason: "line \(row.line): label \(label) is not a valid class")
        }
        if let bad = row.values.dropFirst().firstIndex(where: { $0 < 0 || $0 > 255 }) {
            throw DataError.malformed(path: path, reason:
                "line \(row.line): pixel \(bad - 1) is \(row.values[bad]), expected 0...255")
        }
    }

    private static func defaultShape(pixelCount n: Int) -> [Int] {
        let side = Int(Double(n).squareRoot().rounded())
        return side * side == n ? [1, side, side] : [1, 1, n]
    }
}
