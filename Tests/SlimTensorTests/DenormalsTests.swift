import Foundation
import XCTest
@testable import SlimTensor

/// Subnormal floats are flushed to zero on the thread that asks and on the threads it starts
/// afterwards (the slim binary asks on its main thread before OpenMP starts its pool).
final class DenormalsTests: XCTestCase {
    /// A product whose exact result is subnormal, from values the compiler cannot fold.
    @inline(never) func product(_ a: Float, _ b: Float) -> Float { a * b }

    func testFlushingIsPerThreadAndInherited() throws {
        #if arch(x86_64)
        let before = Denormals.areFlushed
        defer { Denormals.set(flushing: before) }
        let tiny = Float.leastNormalMagnitude, half = Float(0.5)
        Denormals.set(flushing: false)
        XCTAssertFalse(Denormals.areFlushed)
        XCTAssertTrue(product(tiny, half).isSubnormal, "without flushing the result is subnormal")
        Denormals.flushToZero()
        XCTAssertTrue(Denormals.areFlushed)
        XCTAssertEqual(product(tiny, half), 0, "flush-to-zero")
        XCTAssertEqual(product(Float.leastNonzeroMagnitude, 1e30), 0, "denormals-are-zero: a subnormal input counts as 0")
        let child = ChildResult()
        let done = expectation(description: "child thread")
        let thread = Thread {
            child.flushed = Denormals.areFlushed
            child.value = self.product(tiny, half)
            done.fulfill()
        }
        thread.start()
        wait(for: [done], timeout: 10)
        XCTAssertTrue(child.flushed, "a thread started afterwards inherits the setting")
        XCTAssertEqual(child.value, 0)
        #else
        throw XCTSkip("x86-64 only")
        #endif
    }
}

/// What the child thread saw, read after it signalled (the expectation orders the accesses).
private final class ChildResult: @unchecked Sendable {
    var flushed = false
    var value: Float = 1
}
