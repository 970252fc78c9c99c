import Foundation

/// A data set of image files in class sub-folders: `root/<class>/<image>`.
///
/// Classes are the sub-folders sorted by name (label = position), images are the PNG or JPEG
/// files of each folder sorted by name (format recognised by content). Every sample is converted
/// to `channels` (1 = gray, 3 = RGB) and bilinearly resized to `size` (or to the first image's
/// size when `size` is nil), and returned as CHW bytes.
public struct ImageFolderDataset: Dataset, Sendable {
    public let root: String
    public let channels: Int
    public let size: ImageSize
    public let files: [(path: String, label: Int)]
    public let classNames: [String]?

    /// File extensions listed (case-insensitive); contents decide the decoder.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Lists `root`; decodes the first image only when `size` is nil.
    /// - Throws: `DataError` when `root` is missing, has no class folders or no images, or
    ///   `channels` is not 1 or 3.
    public init(root: String, channels: Int = 3, size: ImageSize? = nil) throws {
        guard channels == 1 || channels == 3 else {
            throw DataError.invalidConfiguration("image folder \(root): channels must be 1 or 3, not \(channels)")
        }
        let classes = try Self.subfolders(of: root)
        var files: [(String, Int)] = []
        for (label, name) in classes.enumerated() {
            let dir = (root as NSString).appendingPathComponent(name)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for file in names.sorted() where Self.imageExtensions.contains((file as NSString).pathExtension.lowercased()) {
                files.append(((dir as NSString).appendingPathComponent(file), label))
            }
        }
        guard let first = files.first else {
            throw DataError.malformed(path: root, reason: "expected .png/.jpg images inside the class folders \(classes), found none")
        }
        let decodedSize = try size ?? {
            let image = try ImageCodec.decode(path: first.0)
            return ImageSize(height: image.height, width: image.width)
        }()
        guard decodedSize.height > 0, decodedSize.width > 0 else {
            throw DataError.invalidConfiguration("image folder \(root): size \(decodedSize) must be positive")
        }
        self.root = root
        self.channels = channels
        self.size = decodedSize
        self.files = files
        self.classNames = classes
    }

    public var count: Int { files.count }
    public var imageShape: [Int] { [channels, size.height, size.width] }

    public func sample(_ i: Int) throws -> Sample {
        let image = try ImageCodec.decode(path: files[i].path).converted(toChannels: channels).resized(to: size)
        return Sample(pixels: .bytes(image.chwBytes), label: files[i].label)
    }

    public func sampleName(_ i: Int) -> String { files[i].path }

    private static func subfolders(of root: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError.missingFile(path: root, reason: "expected a folder of class sub-folders")
        }
        let entries = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        let folders = entries.filter { name in
            var dir: ObjCBool = false
            let path = (root as NSString).appendingPathComponent(name)
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
        }
        guard !folders.isEmpty else {
            throw DataError.malformed(path: root, reason: "expected class sub-folders, found none")
        }
        return folders
    }
}
