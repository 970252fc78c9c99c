import Foundation
import SlimTrain

/// Writes `value` as pretty-printed JSON with sorted keys to `path`, atomically (temp + rename):
/// the `--output_eval` / `--output_compare` files (`option` names it in errors).
func writeJSON<T: Encodable>(_ value: T, to path: String, option: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try OutputFile.write(try encoder.encode(value), to: path, option: option)
}
