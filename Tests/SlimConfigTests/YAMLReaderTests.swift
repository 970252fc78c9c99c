import XCTest
@testable import SlimConfig

final class YAMLReaderTests: XCTestCase {
    private func parse(_ text: String) throws -> Node {
        try YAMLReader(name: "test.yml", text: text).parse()
    }

    private func expectError(_ text: String, line: Int, column: Int, contains fragment: String,
                             file: StaticString = #filePath, lineNo: UInt = #line) {
        XCTAssertThrowsError(try parse(text), file: file, line: lineNo) { error in
            guard let e = error as? ConfigError, let d = e.diagnostics.first else {
                return XCTFail("not a ConfigError: \(error)", file: file, line: lineNo)
            }
            XCTAssertEqual(d.mark, SourceMark(file: "test.yml", line: line, column: column), "\(e)", file: file, line: lineNo)
            XCTAssertTrue(e.description.contains(fragment), "\(e)", file: file, line: lineNo)
            XCTAssertTrue(e.description.hasPrefix("test.yml:\(line):\(column): error: "), "\(e)", file: file, line: lineNo)
        }
    }

    func testMappingKeepsOrderMarksAndScalarTypes() throws {
        let root = try parse("max_iters: 258\nbase_lr: 1e-4\nname: 'x'\nflag: true\nnothing: ~\n")
        XCTAssertEqual(root.keys, ["max_iters", "base_lr", "name", "flag", "nothing"])
        XCTAssertEqual(root["max_iters"]?.scalarValue, .int(258))
        XCTAssertEqual(root["base_lr"]?.scalarValue, .float(1e-4))
        XCTAssertEqual(root["name"]?.scalarValue, .string("x"))
        XCTAssertEqual(root["flag"]?.scalarValue, .bool(true))
        XCTAssertEqual(root["nothing"]?.scalarValue, .null)
        XCTAssertEqual(root["base_lr"]?.mark, SourceMark(file: "test.yml", line: 2, column: 10))
    }

    func testTagsAreKeptVerbatim() throws {
        let root = try parse("""
        LearningRate:
          schedulers:
          - !PiecewiseDecay {gamma: 0.1, milestones: [258, 516]}
          - !LinearWarmup
            steps: 100
        """)
        let items = try XCTUnwrap(root["LearningRate"]?["schedulers"]?.items)
        XCTAssertEqual(items.map(\.tag), ["!PiecewiseDecay", "!LinearWarmup"])
        XCTAssertEqual(items[0]["milestones"]?.items?.map(\.scalarValue), [.int(258), .int(516)])
        XCTAssertEqual(items[1].mark.line, 4)
    }

    func testAnchorsAliasesAndMergeKeys() throws {
        let root = try parse("""
        base: &base
          batch_size: 64
          shuffle: true
        other: &other
          prefetch: 2
        TrainReader:
          <<: [*base, *other]
          batch_size: 128
        EvalReader: *base
        """)
        let train = try XCTUnwrap(root["TrainReader"])
        XCTAssertEqual(train["batch_size"]?.scalarValue, .int(128), "explicit keys win over merged ones")
        XCTAssertEqual(train["shuffle"]?.scalarValue, .bool(true))
        XCTAssertEqual(train["prefetch"]?.scalarValue, .int(2))
        XCTAssertNil(train["<<"])
        XCTAssertEqual(root["EvalReader"]?["batch_size"]?.scalarValue, .int(64))
    }

    func testSyntaxErrorIsPositioned() {
        expectError("a: 1\nb: [1, 2\nc: 3\n", line: 3, column: 2, contains: "YAML syntax")
        expectError("a: 1\n  b: 2\n", line: 2, column: 4, contains: "mapping values are not allowed")
    }

    func testUnknownAliasAndDuplicateKey() {
        expectError("a: &x 1\nb: *y\n", line: 2, column: 4, contains: "unknown alias '*y'")
        expectError("a: 1\na: 2\n", line: 2, column: 1, contains: "duplicate key 'a'")
    }

    func testDiagnosticQuotesTheLineWithACaret() {
        let d = Diagnostic(mark: SourceMark(file: "m.yml", line: 2, column: 3), message: "unknown key 'bas_lr'",
                           notes: ["did you mean 'base_lr'?"], sourceLine: "  bas_lr: 0.1")
        XCTAssertEqual(d.description, "m.yml:2:3: error: unknown key 'bas_lr'\n    bas_lr: 0.1\n    ^\nnote: did you mean 'base_lr'?")
    }

    func testSuggestionsByEditDistance() {
        XCTAssertEqual(Suggestion.closest(to: "bas_lr", in: ["base_lr", "schedulers"]), "base_lr")
        XCTAssertNil(Suggestion.closest(to: "completely_else", in: ["base_lr"]))
        XCTAssertEqual(Suggestion.distance("kitten", "sitting"), 3)
    }

    func testEmptyDocumentIsAnEmptyMapping() throws {
        XCTAssertEqual(try parse("").entries?.count, 0)
    }
}
