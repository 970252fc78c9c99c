import Foundation
import XCTest
@testable import SlimCompress

/// What the checkpointer replaces, refuses, cleans up and restores.
final class CheckpointerTests: XCTestCase {
    func testOnlySlimCheckpointsAreReplaceable() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        let compressor = try fixture.compressor(epochs: 1, strategies: [RecordingStrategy()])
        try compressor.run()
        let checkpointer = compressor.checkpointer
        XCTAssertTrue(checkpointer.isCheckpoint(checkpointer.directory(epoch: 0)))
        XCTAssertNoThrow(try checkpointer.checkReplaceable(epochs: 0..<3))
        try FileManager.default.createDirectory(atPath: checkpointer.directory(epoch: 2), withIntermediateDirectories: true)
        XCTAssertFalse(checkpointer.isCheckpoint(checkpointer.directory(epoch: 2)))
        XCTAssertThrowsError(try checkpointer.checkReplaceable(epochs: 1..<3)) { error in
            XCTAssertTrue("\(error)".contains("/2") && "\(error)".contains("not a slim checkpoint"), "\(error)")
        }
        XCTAssertNoThrow(try checkpointer.checkReplaceable(epochs: 0..<2))
    }

    func testStaleTemporariesAreRemovedAndEpochFoldersOnlyCountWhenNamedPlainly() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        let checkpointer = Checkpointer(root: fixture.path("checkpoints"))
        for name in [".0.tmp-123-456", ".tmp-1-99", "00", "7", "notes"] {
            try FileManager.default.createDirectory(atPath: fixture.path("checkpoints/\(name)"), withIntermediateDirectories: true)
        }
        checkpointer.removeStaleTemporaries()
        let left = try FileManager.default.contentsOfDirectory(atPath: fixture.path("checkpoints")).sorted()
        XCTAssertEqual(left, ["00", "7", "notes"])
        XCTAssertEqual(checkpointer.epochs(), [7])
    }

    func testARenamedOrReconfiguredStrategyIsNotRestored() throws {
        let fixture = try CompressorFixture()
        defer { fixture.cleanUp() }
        try fixture.compressor(epochs: 1, strategies: [RecordingStrategy(name: "a")]).run()
        XCTAssertThrowsError(try fixture.compressor(epochs: 2, strategies: [RecordingStrategy(name: "b")]).run()) { error in
            XCTAssertTrue("\(error)".contains("no record of strategy 'b' (it has a)"), "\(error)")
        }
        let changed = RecordingStrategy(name: "a")
        changed.fingerprintText = "Recording(2)"
        XCTAssertThrowsError(try fixture.compressor(epochs: 2, strategies: [changed]).run()) { error in
            XCTAssertTrue("\(error)".contains("was Recording(1)") && "\(error)".contains("is Recording(2) now"), "\(error)")
        }
        XCTAssertEqual(changed.calls, [], "nothing ran")
    }
}
