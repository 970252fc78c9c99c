import Foundation

/// A data set, image or loader problem a user can cause: a missing, foreign, truncated or
/// malformed file, or a loader configuration that cannot produce a batch.
///
/// Every case names the file (or the data set) and says what was expected.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be opened.
    case missingFile(path: String, reason: String)
    /// The file exists but its content is not what the reader expects.
    case malformed(path: String, reason: String)
    /// The file ends before the size its header promises.
    case truncated(path: String, expectedBytes: Int, foundBytes: Int)
    /// Two files (or a file and its header) disagree, e.g. image and label counts.
    case mismatch(path: String, reason: String)
    /// The loader or data set is configured so that it cannot produce what was asked.
    case invalidConfiguration(String)
    /// Writing a file failed.
    case writeFailed(path: String, reason: String)
    /// A sample's label is not one of the model's classes `0..<classes`.
    case labelOutOfRange(sample: String, label: Int, classes: Int)

    public var description: String {
        switch self {
        case let .missingFile(path, reason): return "\(path): cannot open: \(reason)"
        case let .malformed(path, reason): return "\(path): \(reason)"
        case let .truncated(path, expected, found):
            return "\(path): truncated: expected \(expected) bytes, found \(found)"
        case let .mismatch(path, reason): return "\(path): \(reason)"
        case let .invalidConfiguration(reason): return "data: \(reason)"
        case let .writeFailed(path, reason): return "\(path): cannot write: \(reason)"
        case let .labelOutOfRange(sample, label, classes):
            return "\(sample): label \(label) is outside the model's \(classes) classes 0..<\(classes)"
                + " (num_classes of the model YAML must cover every label of the data)"
        }
    }
}

extension DataError: LocalizedError {
    public var errorDescription: String? { description }
}

extension DataError {
    /// Whether the file system refused (a missing or unreadable file, a failed write) rather
    /// than the content being wrong: the CLI's exit code 74.
    public var isIO: Bool {
        switch self {
        case .missingFile, .writeFailed: return true
        case .malformed, .truncated, .mismatch, .invalidConfiguration, .labelOutOfRange: return false
        }
    }
}
