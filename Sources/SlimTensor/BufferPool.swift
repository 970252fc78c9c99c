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
        if recording, PrimitiveRecording.isRecording, let reused = takeSpare(byteCount) { return reused }
        if byteCount >= minimumBytes, let reused = take(byteCount) { return reused }
        return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
    }

    /// Returns a buffer obtained from `allocate(byteCount)`.
    func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        if holding, keepHeld(pointer, byteCount: byteCount) { return }
        give(pointer, byteCount: byteCount)
    }

    private func give(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
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

    // MARK: Buffers a `PrimitiveRecording` holds

    /// How many recordings hold each buffer (`hold`); a held buffer released by its tensor is kept
    /// in `handedOver` until the last of them ends.
    private var holds: [UnsafeMutableRawPointer: Int] = [:]
    private var handedOver: [UnsafeMutableRawPointer: Int] = [:]
    /// Held buffers released during the recorded run, which that run may be given again (by size).
    private var spares: [Int: [UnsafeMutableRawPointer]] = [:]
    /// Whether any buffer is held (read without the lock first: a release of an unheld buffer
    /// takes no lock for it).
    private var holding = false
    /// Whether a recording is in progress (its thread's allocations may reuse `spares`).
    var recording = false

    /// Keeps `pointer` from being freed or reused while held (a recording reads or writes it).
    func hold(_ pointer: UnsafeMutableRawPointer) {
        lock.lock(); defer { lock.unlock() }
        holds[pointer, default: 0] += 1
        holding = true
    }

    /// Ends holds taken by `hold`: a buffer no longer held whose tensor released it is freed now.
    func unhold(_ pointers: Set<UnsafeMutableRawPointer>) {
        var free: [(UnsafeMutableRawPointer, Int)] = []
        lock.lock()
        for p in pointers {
            guard let n = holds[p] else { continue }
            if n > 1 { holds[p] = n - 1; continue }
            holds[p] = nil
            if let size = handedOver.removeValue(forKey: p) { free.append((p, size)) }
        }
        holding = !holds.isEmpty
        lock.unlock()
        for (p, size) in free { give(p, byteCount: size) }
    }

    /// A held buffer's release: kept (a spare of the recorded run while it lasts). False when not held.
    private func keepHeld(_ pointer: UnsafeMutableRawPointer, byteCount: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard holds[pointer] != nil else { return false }
        handedOver[pointer] = byteCount
        if recording && PrimitiveRecording.isRecording { spares[byteCount, default: []].append(pointer) }
        return true
    }

    /// A spare of the recorded run (`keepHeld`), given back to a tensor of that run.
    private func takeSpare(_ byteCount: Int) -> UnsafeMutableRawPointer? {
        lock.lock(); defer { lock.unlock() }
        guard let p = spares[byteCount]?.popLast() else { return nil }
        handedOver[p] = nil
        return p
    }

    /// The recorded run is over: its spares stay handed over (freed when no recording holds them).
    func endRecording() {
        lock.lock(); defer { lock.unlock() }
        spares.removeAll()
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
