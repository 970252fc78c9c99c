import Foundation

/// Recycles large tensor buffers by exact byte size.
///
/// A training step allocates and frees the same activation and gradient sizes every step. Freed
/// large blocks go back to the OS (glibc `munmap`), so each step paid page faults and kernel
/// zeroing for every fresh megabyte. The pool keeps freed buffers of `minimumBytes` or more and
/// hands them out again; it holds at most `capacityBytes`, evicting the sizes used least recently.
/// Buffers taken from it are uninitialised. Thread-safe (data loaders free tensors too).
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool(capacityBytes: BufferPool.defaultCapacity, minimumBytes: 64 << 10)

    /// `SLIM_BUFFER_POOL_MB` (0 disables the pool), else 2 GiB.
    static var defaultCapacity: Int {
        if let text = ProcessInfo.processInfo.environment["SLIM_BUFFER_POOL_MB"], let mb = Int(text), mb >= 0 { return mb << 20 }
        return 2 << 30
    }

    static let alignment = 64

    private struct Bucket {
        var buffers: [UnsafeMutableRawPointer] = []
        var lastUse = 0
    }

    let capacityBytes: Int
    let minimumBytes: Int
    private var buckets: [Int: Bucket] = [:]
    private var pooledBytes = 0
    private var clock = 0
    private let lock = NSLock()

    init(capacityBytes: Int, minimumBytes: Int) {
        self.capacityBytes = capacityBytes
        self.minimumBytes = minimumBytes
    }

    /// A 64-byte aligned buffer of `byteCount` bytes (at least 1), uninitialised.
    func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= minimumBytes, let reused = take(byteCount) { return reused }
        return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
    }

    /// Returns a buffer obtained from `allocate(byteCount)`.
    func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= minimumBytes, byteCount <= capacityBytes else { return pointer.deallocate() }
        lock.lock()
        clock += 1
        buckets[byteCount, default: Bucket()].buffers.append(pointer)
        buckets[byteCount]!.lastUse = clock
        pooledBytes += byteCount
        var evicted: [UnsafeMutableRawPointer] = []
        while pooledBytes > capacityBytes, let size = leastRecentlyUsedSize() {
            evicted.append(buckets[size]!.buffers.removeLast())
            if buckets[size]!.buffers.isEmpty { buckets[size] = nil }
            pooledBytes -= size
        }
        lock.unlock()
        for p in evicted { p.deallocate() }
    }

    /// Frees every pooled buffer.
    func drain() {
        lock.lock()
        let all = buckets.values.flatMap(\.buffers)
        buckets.removeAll()
        pooledBytes = 0
        lock.unlock()
        for p in all { p.deallocate() }
    }

    /// Bytes currently held for reuse.
    var heldBytes: Int {
        lock.lock(); defer { lock.unlock() }
        return pooledBytes
    }

    private func take(_ byteCount: Int) -> UnsafeMutableRawPointer? {
        lock.lock(); defer { lock.unlock() }
        guard let p = buckets[byteCount]?.buffers.popLast() else { return nil }
        clock += 1
        buckets[byteCount]!.lastUse = clock
        pooledBytes -= byteCount
        return p
    }

    private func leastRecentlyUsedSize() -> Int? {
        buckets.min { $0.value.lastUse < $1.value.lastUse }?.key
    }
}
