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

    /// The cached value for `key`, made by `make` the first time.
    func value<T: AnyObject>(_ key: String, _ make: () -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        if let hit = entries[key] as? T { return hit }
        let made = make()
        entries[key] = made
        return made
    }

    /// The int8 primitive cached for `key`, made by `make` the first time.
    func value(int8 key: Int8PrimitiveKey, _ make: () -> PreparedPrimitive) -> PreparedPrimitive {
        lock.lock(); defer { lock.unlock() }
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
    }
}
