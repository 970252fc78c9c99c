import Foundation
import SlimTrain

/// Writes `value` as pretty-printed JSON with sorted keys to `path`, atomically (temp + rename):
/// the `--output_eval` / `--output_compare` files.
/// - Throws: `DataError.writeFailed` naming `path`.
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeFile(encoder.encode(value), to: path)
}

/// Writes `data` to `path` atomically (temp + rename).
/// - Throws: `DataError.writeFailed` naming `path` (the CLI's exit 74).
func writeFile(_ data: Data, to path: String) throws {
    do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw DataError.writeFailed(path: path, reason: error.localizedDescription)
    }
}
