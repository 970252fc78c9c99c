import Foundation

/// The program file of a model directory (`__model__` / `model`): the program as JSON,
///
///     {"feeds": [...], "fetches": [...], "format": "slim-program", "ops": [...], "vars": [...], "version": 1}
///
/// keys sorted and pretty-printed (two-space indent, one trailing newline) so the file diffs.
/// A var is `{"dtype", "name", "persistable", "shape", "trainable"}`; an op is
/// `{"attrs", "inputs", "outputs", "type"}`, each attr a one-key object naming its kind
/// (`{"ints": [1, 1]}`).
public enum ProgramFile {
    public static let format = "slim-program"
    public static let version = 1

    /// Everything the file holds, in the order of the JSON keys.
    struct Envelope: Codable {
        var feeds: [String]
        var fetches: [String]
        var format: String
        var ops: [OpDesc]
        var vars: [VarDesc]
        var version: Int
    }

    /// The file bytes for `program`.
    /// - Throws: `ModelFileError` `.malformed` when a value has no JSON form (a NaN attribute).
    public static func encode(_ program: Program, path: String = "<program>") throws -> [UInt8] {
        let envelope = Envelope(feeds: program.feeds, fetches: program.fetches, format: format,
                                ops: program.ops, vars: program.vars, version: version)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return [UInt8](try encoder.encode(envelope)) + [UInt8(ascii: "\n")]
        } catch {
            throw ModelFileError(.malformed, path: path, "cannot encode the program: \(error)",
                                 expected: "finite attribute values")
        }
    }

    /// The program stored in `bytes`, checked for structure (unique vars, every referenced var
    /// declared, valid shapes), not for op semantics (that is `Program.verify`).
    /// - Parameter path: names the file in errors.
    /// - Throws: `ModelFileError` for a foreign, damaged, unsupported or inconsistent file.
    public static func decode(_ bytes: [UInt8], path: String = "<program>") throws -> Program {
        try checkHeader(bytes, path: path)
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw ModelFileError(.malformed, path: path, describe(error), expected: "a slim-program version \(version) document")
        }
        return try validated(envelope, path: path)
    }

    /// Checks that `bytes` are a JSON object with our `format` and `version`, before decoding
    /// the rest (so a future version is reported as such, not as a missing key).
    private static func checkHeader(_ bytes: [UInt8], path: String) throws {
        let expected = "a slim program file: a JSON object with \"format\": \"\(format)\""
        let text = bytes.drop { [9, 10, 13, 32].contains($0) }
        guard let first = text.first else {
            throw ModelFileError(.truncated, path: path, "the file is empty", expected: expected)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            let ours = first == UInt8(ascii: "{")
            throw ModelFileError(ours ? .malformed : .foreign, path: path,
                                 ours ? "not valid JSON (truncated or damaged)" : "not JSON", expected: expected)
        }
        guard let dict = object as? [String: Any], let found = dict["format"] as? String, found == format else {
            throw ModelFileError(.foreign, path: path, "not a slim program (no \"format\": \"\(format)\")", expected: expected)
        }
        guard let number = dict["version"] as? NSNumber, let found = Int(exactly: number.doubleValue) else {
            throw ModelFileError(.malformed, path: path, "\"version\" is missing or not an integer",
                                 expected: "\"version\": \(version)")
        }
        guard found == version else {
            throw ModelFileError(.unsupportedVersion, path: path, "program format version \(found)",
                                 expected: "version \(version) (written by another slim version?)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty ? "top level" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case let .keyNotFound(key, c): return "missing key '\(key.stringValue)' at \(at(c.codingPath))"
        case let .typeMismatch(type, c): return "wrong type at \(at(c.codingPath)): expected \(type)"
        case let .valueNotFound(type, c): return "null at \(at(c.codingPath)): expected \(type)"
        case let .dataCorrupted(c): return "invalid value at \(at(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
