import Foundation

/// A label list file: one class name per line, class id = line number among the non-blank lines
/// (PaddleDetection's `label_list.txt`). Surrounding whitespace and `\r` are trimmed.
public enum LabelList {
    /// The class names in `path`.
    /// - Throws: `DataError` when the file is missing, not UTF-8 text, or has no names.
    public static func read(path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.missingFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "unreadable" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.malformed(path: path, reason: "a label list must be UTF-8 text, one class name per line")
        }
        let names = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !names.isEmpty else {
            throw DataError.malformed(path: path, reason: "no class names (expected one name per line)")
        }
        return names
    }
}
