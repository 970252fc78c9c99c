import XCTest
@testable import SlimTensor

/// The pieces of inference lanes below the executor: an OpenMP parallel region of the runtime's
/// own threads, and lanes' primitives kept apart while their weights are shared.
final class LaneTests: XCTestCase {
    /// `OpenMPThreads.parallel(n)` runs body(i) once for each i, the n bodies at once on n
    /// threads when the runtime gives them (the caller's thread among them).
    func testParallelRegionRunsEachLaneOnItsOwnThread() throws {
        try XCTSkipUnless(OpenMPThreads.canRunParallel, "no OpenMP runtime loaded")
        let before = Kernels.threads
        Kernels.setThreads(2)
        defer { if let before { Kernels.setThreads(before) } }
        let lock = NSLock()
        var seen: [Int: pthread_t] = [:]
        let caller = pthread_self()
        OpenMPThreads.parallel(2) { i in
            lock.lock()
            seen[i] = pthread_self()
            lock.unlock()
        }
        XCTAssertEqual(Set(seen.keys), [0, 1])
        XCTAssertTrue(pthread_equal(seen[0]!, caller) != 0, "lane 0 runs on the calling thread")
        XCTAssertTrue(pthread_equal(seen[1]!, caller) == 0, "lane 1 runs on another thread")
        var count = 0
        OpenMPThreads.parallel(5) { _ in lock.lock(); count += 1; lock.unlock() }
        XCTAssertEqual(count, 5, "more lanes than threads: each still runs once")
    }

    /// A lane's copy of a layer's held weights (`InferenceWeights.laneCopy`) computes with the
    /// filter as the layer packed it: its primitive is the lane's own (created inside
    /// `PrimitiveCache.inLane`), and when that primitive takes the packed layout, as oneDNN's
    /// choice on this host says, no second packed copy is made.
    func testALaneSharesTheLayersPackedFilter() {
        var rng = SeededGenerator(seed: 31)
        let filter = ConvKernelTests.random([16, 16, 3, 3], &rng), bias = ConvKernelTests.random([16], &rng)
        let weights = InferenceWeights()
        weights.hold(filter: filter, bias: bias, madeFrom: [filter, bias])
        let g = ConvGeometry(paddings: [1, 1, 1, 1])
        let x = ConvKernelTests.random([8, 16, 8, 8], &rng)
        let whole = Kernels.conv2dInference(x, weights: weights, geometry: g, activation: .relu).floats
        let lane = weights.laneCopy()
        let half = Kernels.slice(x, axis: 0, range: 4..<8)
        let y = PrimitiveCache.shared.inLane(1) { Kernels.conv2dInference(half, weights: lane, geometry: g, activation: .relu) }
        let rows = Array(whole[(whole.count / 2)...])
        let worst = zip(y.floats, rows).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-5)
        let (own, laneCall) = (weights.lastCall!, lane.lastCall!)
        XCTAssertFalse(own.primitive === laneCall.primitive, "the lane's primitive is its own")
        if let layout = weights.filter?.layout, laneCall.filter.accepts(layout) {
            XCTAssertTrue(lane.filter!.storage === weights.filter!.storage, "the packed filter is shared")
        } else {
            XCTAssertFalse(lane.filter!.storage === weights.filter!.storage, "another layout: packed for the lane")
        }
    }

    /// Lanes belong to threads: two threads inside `PrimitiveCache.inLane` at once (executors
    /// recording lanes side by side) each get their own lane's primitive, and a thread outside
    /// any lane the shared one.
    func testLanesOfTwoThreadsAtOnceStayApart() {
        let dims = [4, 8, 6, 6]
        let shared = Kernels.eltwiseForwardPrimitive(dims, .relu, layout: nil, training: false)
        final class Made: @unchecked Sendable {
            let lock = NSLock()
            var primitives: [Int: PreparedPrimitive] = [:]
        }
        let box = Made()
        let group = DispatchGroup()
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        for number in [5, 6] {
            group.enter()
            Thread.detachNewThread {
                PrimitiveCache.shared.inLane(number) {
                    inside.signal()
                    release.wait()   // both threads are in their lanes now
                    let p = Kernels.eltwiseForwardPrimitive(dims, .relu, layout: nil, training: false)
                    box.lock.lock(); box.primitives[number] = p; box.lock.unlock()
                }
                group.leave()
            }
        }
        inside.wait(); inside.wait()
        release.signal(); release.signal()
        group.wait()
        let made = box.primitives
        XCTAssertFalse(made[5]! === made[6]!, "each lane its own primitive")
        XCTAssertFalse(made[5]! === shared || made[6]! === shared, "lanes' primitives are not the shared one")
        XCTAssertTrue(Kernels.eltwiseForwardPrimitive(dims, .relu, layout: nil, training: false) === shared)
    }
}
