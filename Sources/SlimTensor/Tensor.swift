import Foundation

/// A dense, copy-on-write tensor: plain row-major (NCHW) to everyone outside SlimTensor.
///
/// Values are shared until one copy is mutated through a `withUnsafeMutable...` accessor. Kernels
/// may hand out tensors whose bytes are held in a oneDNN blocked layout (`layout`), so the next
/// primitive reads them without a reorder; every accessor sees the plain values (reordered once,
/// on first access, and cached with the storage).
public struct Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    public let dtype: DType
    /// The bytes, in `layout`.
    private(set) var buffer: TensorStorage
    /// The oneDNN layout of `buffer`; nil for plain row-major.
    private(set) var layout: TensorLayout?

    /// The element data in plain row-major order (the cached plain copy of a blocked tensor).
    public var storage: TensorStorage {
        guard let layout else { return buffer }
        return buffer.plainCopy(from: layout, shape: shape, dtype: dtype)
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Number of bytes of the element data.
    public var byteCount: Int { count * dtype.byteSize }

    /// A zero-filled tensor.
    public init(shape: [Int], dtype: DType = .f32) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.dtype = dtype
        buffer = TensorStorage(byteCount: shape.reduce(1, *) * dtype.byteSize)
    }

    /// A tensor whose elements are not initialised, for kernel outputs that overwrite every element;
    /// held in `layout` (nil: plain row-major). A layout with padding (channels rounded up to the
    /// block) starts zero-filled unless `zeroPadding` is false: oneDNN expects zeros there and not
    /// every primitive writes them.
    init(uninitializedShape shape: [Int], dtype: DType = .f32, layout: TensorLayout? = nil, zeroPadding: Bool = true) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.dtype = dtype
        self.layout = layout
        let logical = shape.reduce(1, *) * dtype.byteSize
        if zeroPadding, let layout, layout.byteCount > logical {
            buffer = TensorStorage(byteCount: layout.byteCount)
        } else {
            buffer = TensorStorage(uninitializedByteCount: layout?.byteCount ?? logical)
        }
    }

    /// A plain row-major f32 tensor whose elements `fill` writes, every one of them (the bytes
    /// start uninitialised: no zero-filling pass before a kernel that overwrites them all).
    public init(shape: [Int], fillingFloats fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.init(uninitializedShape: shape, dtype: .f32)
        try fill(UnsafeMutableBufferPointer(start: buffer.pointer.assumingMemoryBound(to: Float.self), count: count))
    }

    /// A float tensor holding `values` (row-major).
    public init(shape: [Int], floats values: [Float]) {
        self.init(uninitializedShape: shape, dtype: .f32)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBytes { buffer.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// A tensor of `dtype` holding `values` converted from Int (s8, u8, s32).
    public init(shape: [Int], dtype: DType, integers values: [Int]) {
        self.init(shape: shape, dtype: dtype)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        switch dtype {
        case .f32: let p = buffer.pointer.assumingMemoryBound(to: Float.self); for (i, v) in values.enumerated() { p[i] = Float(v) }
        case .s8: let p = buffer.pointer.assumingMemoryBound(to: Int8.self); for (i, v) in values.enumerated() { p[i] = Int8(v) }
        case .u8: let p = buffer.pointer.assumingMemoryBound(to: UInt8.self); for (i, v) in values.enumerated() { p[i] = UInt8(v) }
        case .s32: let p = buffer.pointer.assumingMemoryBound(to: Int32.self); for (i, v) in values.enumerated() { p[i] = Int32(v) }
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
        var t = newShape == shape ? self : plain()
        t.shape = newShape
        return t
    }

    /// The same bytes described by another shape and layout of the same byte count (a padded
    /// channel-blocked tensor seen with its padding channels as real ones, and back).
    func relabeled(shape newShape: [Int], layout newLayout: TensorLayout) -> Tensor {
        precondition(newLayout.byteCount == buffer.byteCount, "relabeling \(shape) as \(newShape) changes the byte count")
        var t = self
        t.shape = newShape
        t.layout = newLayout
        return t
    }

    /// The same bytes seen as elements of `newType`, of this type's size (u8 <-> s8: a sum
    /// post-op reads an s8 residual in a u8 output's buffer), held in `newLayout` (this tensor's
    /// layout retyped; nil for plain).
    func reinterpreted(as newType: DType, layout newLayout: TensorLayout?) -> Tensor {
        precondition(newType.byteSize == dtype.byteSize && (newLayout == nil) == (layout == nil), "cannot see \(dtype) bytes as \(newType)")
        return Tensor(shape: shape, dtype: newType, buffer: buffer, layout: newLayout)
    }

    private init(shape: [Int], dtype: DType, buffer: TensorStorage, layout: TensorLayout?) {
        self.shape = shape
        self.dtype = dtype
        self.buffer = buffer
        self.layout = layout
    }

    /// A copy of these bytes in the same layout, sharing nothing with this tensor.
    public func detachedCopy() -> Tensor {
        Tensor(shape: shape, dtype: dtype, buffer: buffer.copy(), layout: layout)
    }

    /// Whether the bytes are held plain row-major (not in a oneDNN blocked layout).
    public var isPlain: Bool { layout == nil }

    /// The same values held in plain row-major layout (self when already plain).
    func plain() -> Tensor {
        guard layout != nil else { return self }
        var t = self
        t.buffer = storage
        t.layout = nil
        return t
    }

    /// Makes the bytes plain and not shared, before a write through an accessor.
    private mutating func makeUnique() {
        if layout != nil { self = plain() }
        makeBufferUnique()
    }

    /// Makes `buffer` not shared, keeping its layout (a kernel is about to write it).
    mutating func makeBufferUnique() {
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy() }
    }

    /// Whether no other tensor value shares `buffer` (it may then be written in place).
    mutating func hasUniqueBuffer() -> Bool { isKnownUniquelyReferenced(&buffer) }

    /// Read-only access to the raw bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.pointer, count: byteCount))
    }

    /// Mutable access to the raw bytes (copies shared storage first).
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableRawBufferPointer(start: buffer.pointer, count: byteCount))
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
        return try body(UnsafeMutableBufferPointer(start: buffer.pointer.assumingMemoryBound(to: Float.self), count: count))
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
        return try body(UnsafeMutableBufferPointer(start: buffer.pointer.assumingMemoryBound(to: T.self), count: count))
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
        let (x, y) = (a.storage, b.storage)
        if x === y { return true }
        return memcmp(x.pointer, y.pointer, a.byteCount) == 0
    }
}
