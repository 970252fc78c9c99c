import XCTest
@testable import SlimConfig

/// Loading a slim YAML written to a temporary file, and checking the errors it gives, for the
/// slim YAML tests.
extension XCTestCase {
    func loadSlimYAML(_ yaml: String) throws -> CompressionConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("slim.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try CompressionConfig.load(path: file.path)
    }

    /// The load fails with exactly `expected` (line, column, text contained), in order.
    func expectSlimYAMLErrors(_ yaml: String, _ expected: [(Int, Int, String)], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try loadSlimYAML(yaml), file: file, line: line) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.diagnostics.count, expected.count, "\(e)", file: file, line: line)
            for (d, (l, c, text)) in zip(e.diagnostics, expected) {
                XCTAssertEqual([d.mark.line, d.mark.column], [l, c], "\(e)", file: file, line: line)
                XCTAssertTrue(d.description.contains(text), "expected '\(text)' in\n\(d)", file: file, line: line)
            }
        }
    }
}
