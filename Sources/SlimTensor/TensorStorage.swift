import Foundation

/// Storage shared by tensor values; 64-byte aligned so oneDNN can use it directly.
///
/// Large buffers come from and return to `BufferPool.shared`.
public final class TensorStorage: @unchecked Sendable {
    public let byteCount: Int
    public let pointer: UnsafeMutableRawPointer

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

    func copy() -> TensorStorage {
        let other = TensorStorage(uninitializedByteCount: byteCount)
        other.pointer.copyMemory(from: pointer, byteCount: byteCount)
        return other
    }
}
