import Foundation

/// Process-wide cache of prepared primitives keyed by (op, shapes, attributes, prop kind).
///
/// Primitive creation JIT-compiles code (0.2-13 ms); a step must never create one twice.
public final class PrimitiveCache: @unchecked Sendable {
    public static let shared = PrimitiveCache()

    private var entries: [String: AnyObject] = [:]
    /// Int8 primitives, under structured keys (no key text built per call).
    private var int8: [Int8PrimitiveKey: PreparedPrimitive] = [:]
    private let lock = NSRecursiveLock()  // a backward primitive builds its forward hint inside `make`
    /// Number of oneDNN primitives created so far (reorders included); tests check it stays flat.
    public private(set) var creations = 0

    func noteCreation() { creations += 1 }

    /// The threads inside `inLane` and their lanes (executors on several threads may record lanes).
    private var laneThreads: [(number: Int, thread: pthread_t)] = []
    private var laneInt8: [Int: [Int8PrimitiveKey: PreparedPrimitive]] = [:]

    /// Runs `body` with primitives of lane `number` of a lane replay (`PrimitiveRecording.replayLanes`)
    /// on this thread: cached apart from everyone else's and from other lanes', and created for one
    /// OpenMP thread, as a lane runs each of its calls on one thread. Other threads are not affected.
    public func inLane<R>(_ number: Int, _ body: () throws -> R) rethrows -> R {
        lock.lock()
        precondition(currentLane == nil, "lanes do not nest")
        laneThreads.append((number, pthread_self()))
        lock.unlock()
        defer {
            lock.lock()
            laneThreads.removeAll { pthread_equal($0.thread, pthread_self()) != 0 }
            lock.unlock()
        }
        return try Kernels.withThreads(1) { try body() }
    }

    /// The calling thread's lane (`inLane`); the caller holds the lock.
    private var currentLane: Int? {
        guard !laneThreads.isEmpty else { return nil }
        let me = pthread_self()
        return laneThreads.first { pthread_equal($0.thread, me) != 0 }?.number
    }

    /// The cached value for `key`, made by `make` the first time.
    func value<T: AnyObject>(_ key: String, _ make: () -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        let key = currentLane.map { "\(key) @lane\($0)" } ?? key
        if let hit = entries[key] as? T { return hit }
        let made = make()
        entries[key] = made
        return made
    }

    /// The int8 primitive cached for `key`, made by `make` the first time.
    func value(int8 key: Int8PrimitiveKey, _ make: () -> PreparedPrimitive) -> PreparedPrimitive {
        lock.lock(); defer { lock.unlock() }
        if let lane = currentLane {
            if let hit = laneInt8[lane]?[key] { return hit }
            let made = make()
            laneInt8[lane, default: [:]][key] = made
            return made
        }
        if let hit = int8[key] { return hit }
        let made = make()
        int8[key] = made
        return made
    }

    /// Drops every cached primitive (frees their memory).
    public func removeAll() {
        lock.lock(); defer { lock.unlock() }
        entries.removeAll()
        int8.removeAll()
        laneInt8.removeAll()
    }
}
