/// A minimal parser of comma-separated integer rows over raw bytes (no quoting), tolerant of
/// `\r\n` line ends, blank lines and spaces around fields.
struct CSVRowParser {
    struct Row {
        var line: Int
        var values: [Int]
    }

    let bytes: [UInt8]
    let path: String
    private var position = 0
    private var line = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// The next non-blank row; when `skipHeader`, a row whose first field is not an integer is
    /// skipped once. Returns nil at the end of the data.
    mutating func nextRow(skipHeader: Bool) throws -> Row? {
        var mayBeHeader = skipHeader
        while position < bytes.count {
            let start = position
            while position < bytes.count && bytes[position] != UInt8(ascii: "\n") { position += 1 }
            let end = position
            position += 1
            line += 1
            let text = bytes[start..<end]
            if text.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
            if let values = Self.integers(text) { return Row(line: line, values: values) }
            if mayBeHeader && line == 1 { mayBeHeader = false; continue }
            throw DataError.malformed(path: path, reason: "line \(line): expected comma-separated integers")
        }
        return nil
    }

    /// Parses `a,b,c` of decimal integers, or nil if any field is not one.
    static func integers(_ text: ArraySlice<UInt8>) -> [Int]? {
        var values: [Int] = []
        var current = 0, digits = 0, negative = false
        for byte in text {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                current = current &* 10 &+ Int(byte - UInt8(ascii: "0"))
                digits += 1
                if digits > 9 { return nil }
            case UInt8(ascii: "-") where digits == 0 && !negative: negative = true
            case UInt8(ascii: ","):
                guard digits > 0 else { return nil }
                values.append(negative ? -current : current)
                current = 0; digits = 0; negative = false
            case 32, 9, 13: continue
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        values.append(negative ? -current : current)
        return values
    }
}
