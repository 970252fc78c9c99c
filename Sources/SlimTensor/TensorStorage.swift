import Foundation

/// Storage shared by tensor values; 64-byte aligned so oneDNN can use it directly.
///
/// Large buffers come from and return to `BufferPool.shared`.
public final class TensorStorage: @unchecked Sendable {
    public let byteCount: Int
    public let pointer: UnsafeMutableRawPointer
    /// For bytes held in a blocked layout: their plain row-major copy, made on first access.
    private var plainCache: TensorStorage?
    private static let plainCacheLock = NSLock()

    /// Zero-filled storage.
    public init(byteCount: Int) {
        self.byteCount = byteCount
        pointer = BufferPool.shared.allocate(byteCount)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    }

    /// Storage whose bytes are not initialised (the caller overwrites all of them).
    init(uninitializedByteCount byteCount: Int) {
        self.byteCount = byteCount
        pointer = BufferPool.shared.allocate(byteCount)
    }

    deinit { BufferPool.shared.release(pointer, byteCount: byteCount) }

    /// The plain row-major copy of these bytes, which are held in `layout` (one reorder, then cached;
    /// the bytes of a blocked tensor are never written after the kernel that made them).
    func plainCopy(from layout: TensorLayout, shape: [Int], dtype: DType) -> TensorStorage {
        Self.plainCacheLock.lock(); defer { Self.plainCacheLock.unlock() }
        if let plainCache { return plainCache }
        let plain = TensorStorage(uninitializedByteCount: shape.reduce(1, *) * dtype.byteSize)
        ReorderClock.measure { layout.reorder(pointer, plain.pointer, toPlain: true) }
        plainCache = plain
        return plain
    }

    /// Forgets the plain copy (the bytes are about to be written in place by their only holder).
    func discardPlainCopy() {
        Self.plainCacheLock.lock(); defer { Self.plainCacheLock.unlock() }
        plainCache = nil
    }

    /// A copy of these bytes (a recorded kernel: a replayed run copies again, `PrimitiveRecording.host`).
    func copy() -> TensorStorage {
        let other = TensorStorage(uninitializedByteCount: byteCount)
        PrimitiveRecording.copy(from: self, to: other)
        return other
    }
}
