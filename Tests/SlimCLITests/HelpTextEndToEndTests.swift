import Foundation
import XCTest

/// Every command's `--help` reads well at 80 columns (ArgumentParser's width when the output is
/// not a terminal): prose paragraphs flow (no line ends a word or two short of a wrapped
/// remainder), and example commands are written to fit, so none is broken by the wrapping.
final class HelpTextEndToEndTests: XCTestCase {
    static let commands = [["train"], ["compress"], ["freeze"], ["eval"], ["infer"], ["calibrate"], ["export"], ["import"],
                           ["bench"], ["calops"], ["dataset", "fashion-voc"], ["config", "show"], []]

    func testDiscussionsFitEightyColumns() throws {
        for command in Self.commands {
            let p = Process()
            p.executableURL = ConfigShowEndToEndTests.slimBinary
            p.arguments = command + ["--help"]
            let help = try ChildProcess.run(p)
            XCTAssertEqual(help.status, 0, "\(command): \(help.err)")
            let discussion = help.out.components(separatedBy: "\nUSAGE:").first ?? ""
            var inExamples = false
            for line in discussion.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if line.isEmpty { inExamples = false; continue }
                if line.hasPrefix("Example") && line.hasSuffix(":") { inExamples = true; continue }
                // An example line the wrapping broke continues at column 0.
                if inExamples { XCTAssertTrue(line.hasPrefix("  "), "\(command): example wrapped: '\(line)'") }
            }
            // A hard line break in the source before column 80 followed by wrapping leaves a
            // short fragment line ending a sentence part: no prose line under 30 characters
            // unless it ends a paragraph.
            let lines = discussion.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // An indented (code) line the wrapping broke continues at column 0 on the next line.
            for (line, next) in zip(lines, lines.dropFirst()) where line.hasPrefix("  ") && !next.isEmpty {
                XCTAssertTrue(next.hasPrefix(" "), "\(command): indented line wrapped: '\(line)' / '\(next)'")
            }
            for (i, line) in lines.enumerated() where i + 1 < lines.count && !line.hasPrefix(" ") && !line.isEmpty {
                let next = lines[i + 1]
                guard !next.isEmpty, !next.hasPrefix(" "), !line.hasSuffix(":") else { continue }
                XCTAssertGreaterThanOrEqual(line.count, 30, "\(command): ragged line '\(line)' before '\(next)'")
            }
        }
    }
}
