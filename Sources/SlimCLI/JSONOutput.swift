import Foundation

/// Writes `value` as pretty-printed JSON with sorted keys to `path`, atomically (temp + rename):
/// the `--output_eval` / `--output_compare` files.
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
}
