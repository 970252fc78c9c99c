/// A data set read from a pair of IDX files (images `0x00000803`, labels `0x00000801`), plain or
/// gzip-compressed, loaded whole into memory once.
///
/// Samples are `[1, rows, cols]` unsigned bytes; labels are the label file's bytes.
public struct IDXDataset: Dataset, Sendable {
    public let images: IDXFile
    public let labels: IDXFile
    public let classNames: [String]?

    /// Reads and cross-checks an image file and a label file.
    /// - Parameters:
    ///   - images: path of the image file (`*-images-idx3-ubyte[.gz]`).
    ///   - labels: path of the label file (`*-labels-idx1-ubyte[.gz]`).
    ///   - classNames: optional names indexed by label.
    /// - Throws: `DataError` for a missing file, a wrong magic, a truncated file, or when the
    ///   files hold different numbers of items or a label is outside `classNames`.
    public init(images: String, labels: String, classNames: [String]? = nil) throws {
        let imageFile = try IDXFile(path: images, magic: IDXFile.imageMagic)
        let labelFile = try IDXFile(path: labels, magic: IDXFile.labelMagic)
        try self.init(images: imageFile, labels: labelFile, classNames: classNames)
    }

    /// Cross-checks two already-parsed files.
    public init(images: IDXFile, labels: IDXFile, classNames: [String]? = nil) throws {
        guard images.count == labels.count else {
            throw DataError.mismatch(path: labels.path, reason:
                "holds \(labels.count) labels but \(images.path) holds \(images.count) images")
        }
        if let classNames {
            for i in 0..<labels.count where Int(labels.payloadByte(i)) >= classNames.count {
                throw DataError.malformed(path: labels.path, reason:
                    "label \(labels.payloadByte(i)) of item \(i) is outside the \(classNames.count) classes")
            }
        }
        self.images = images
        self.labels = labels
        self.classNames = classNames
    }

    public var count: Int { images.count }

    public var imageShape: [Int] { [1, images.dims[1], images.dims[2]] }

    public func sample(_ i: Int) throws -> Sample {
        precondition(i >= 0 && i < count, "sample \(i) out of 0..<\(count)")
        let size = images.dims[1] * images.dims[2]
        return Sample(pixels: .bytes(Array(images.payload(from: i * size, count: size))),
                      label: Int(labels.payloadByte(i)))
    }

    public func sampleName(_ i: Int) -> String { "\(labels.path) item \(i)" }
}
