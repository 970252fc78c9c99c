import Foundation

/// A dense, row-major (plain NCHW at the boundaries), copy-on-write tensor.
///
/// Values are shared until one copy is mutated through a `withUnsafeMutable...` accessor.
public struct Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    public let dtype: DType
    public private(set) var storage: TensorStorage

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Number of bytes of the element data.
    public var byteCount: Int { count * dtype.byteSize }

    /// A zero-filled tensor.
    public init(shape: [Int], dtype: DType = .f32) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.dtype = dtype
        storage = TensorStorage(byteCount: shape.reduce(1, *) * dtype.byteSize)
    }

    /// A tensor whose elements are not initialised, for kernel outputs that overwrite every element.
    init(uninitializedShape shape: [Int], dtype: DType = .f32) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.dtype = dtype
        storage = TensorStorage(uninitializedByteCount: shape.reduce(1, *) * dtype.byteSize)
    }

    /// A float tensor holding `values` (row-major).
    public init(shape: [Int], floats values: [Float]) {
        self.init(uninitializedShape: shape, dtype: .f32)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBytes { storage.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// A tensor of `dtype` holding `values` converted from Int (s8, u8, s32).
    public init(shape: [Int], dtype: DType, integers values: [Int]) {
        self.init(shape: shape, dtype: dtype)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        switch dtype {
        case .f32: let p = storage.pointer.assumingMemoryBound(to: Float.self); for (i, v) in values.enumerated() { p[i] = Float(v) }
        case .s8: let p = storage.pointer.assumingMemoryBound(to: Int8.self); for (i, v) in values.enumerated() { p[i] = Int8(v) }
        case .u8: let p = storage.pointer.assumingMemoryBound(to: UInt8.self); for (i, v) in values.enumerated() { p[i] = UInt8(v) }
        case .s32: let p = storage.pointer.assumingMemoryBound(to: Int32.self); for (i, v) in values.enumerated() { p[i] = Int32(v) }
        }
    }

    /// A tensor filled with one float value.
    public static func filled(_ value: Float, shape: [Int]) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        t.withUnsafeMutableFloats { $0.update(repeating: value) }
        return t
    }

    /// The same elements seen with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        var t = self
        t.shape = newShape
        return t
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Read-only access to the raw bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.pointer, count: byteCount))
    }

    /// Mutable access to the raw bytes (copies shared storage first).
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableRawBufferPointer(start: storage.pointer, count: byteCount))
    }

    /// Read-only access to f32 elements.
    public func withUnsafeFloats<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .f32, "tensor is \(dtype), not f32")
        return try body(UnsafeBufferPointer(start: storage.pointer.assumingMemoryBound(to: Float.self), count: count))
    }

    /// Mutable access to f32 elements (copies shared storage first).
    public mutating func withUnsafeMutableFloats<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .f32, "tensor is \(dtype), not f32")
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer.assumingMemoryBound(to: Float.self), count: count))
    }

    /// Typed read-only access for any element type matching `dtype`'s size.
    public func withUnsafeElements<T, R>(as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(MemoryLayout<T>.stride == dtype.byteSize, "element type does not match \(dtype)")
        return try body(UnsafeBufferPointer(start: storage.pointer.assumingMemoryBound(to: T.self), count: count))
    }

    /// Typed mutable access (copies shared storage first).
    public mutating func withUnsafeMutableElements<T, R>(as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(MemoryLayout<T>.stride == dtype.byteSize, "element type does not match \(dtype)")
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer.assumingMemoryBound(to: T.self), count: count))
    }

    /// The f32 elements as an array.
    public var floats: [Float] { withUnsafeFloats { Array($0) } }

    /// Elements converted to Float whatever the dtype.
    public var asFloats: [Float] {
        switch dtype {
        case .f32: return floats
        case .s8: return withUnsafeElements(as: Int8.self) { $0.map(Float.init) }
        case .u8: return withUnsafeElements(as: UInt8.self) { $0.map(Float.init) }
        case .s32: return withUnsafeElements(as: Int32.self) { $0.map(Float.init) }
        }
    }
}

extension Tensor: Equatable {
    /// Bit-exact equality of shape, dtype and bytes.
    public static func == (a: Tensor, b: Tensor) -> Bool {
        guard a.shape == b.shape, a.dtype == b.dtype else { return false }
        if a.storage === b.storage { return true }
        return memcmp(a.storage.pointer, b.storage.pointer, a.byteCount) == 0
    }
}
