import CDNNL
import Foundation

/// The one place slim talks to oneDNN's C API (2.x): engine, stream and status checks.
///
/// oneDNN 3.x changes this API; every C call stays behind this small wrapper. oneDNN is called from
/// one thread and parallelises inside with OpenMP (`OMP_NUM_THREADS`).
public enum DNNL {
    /// The CPU engine.
    static let engine: OpaquePointer = {
        var e: OpaquePointer?
        check(dnnl_engine_create(&e, dnnl_cpu, 0), "dnnl_engine_create")
        return e!
    }()

    /// The in-order stream every primitive runs on.
    static let stream: OpaquePointer = {
        var s: OpaquePointer?
        check(dnnl_stream_create(&s, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
        return s!
    }()

    /// The stream of lane `i` of a lane replay (`PrimitiveRecording.replayLanes`): lane 0 runs on
    /// `stream`, each other lane on one of its own, made once.
    static func laneStream(_ i: Int) -> OpaquePointer {
        guard i > 0 else { return stream }
        laneLock.lock(); defer { laneLock.unlock() }
        while laneStreams.count < i {
            var s: OpaquePointer?
            check(dnnl_stream_create(&s, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
            laneStreams.append(s!)
        }
        return laneStreams[i - 1]
    }

    nonisolated(unsafe) private static var laneStreams: [OpaquePointer] = []
    private static let laneLock = NSLock()

    /// Traps on a failed call: shapes and descriptors are built by slim, so a failure is a slim bug.
    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        precondition(status == dnnl_success, "oneDNN \(what()) failed: \(String(cString: dnnl_status2str(status)))")
    }

    /// Whether the CPU oneDNN runs on has AVX-512 VNNI (exact u8·s8 dot products, `vpdpbusd`).
    static let hasVNNI: Bool = dnnl_get_effective_cpu_isa().rawValue & 0x40 != 0

    /// The instruction set oneDNN's kernels use on this host (`avx2`, `avx512_core_vnni`, ...).
    static let isaName: String = String(cString: dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()))

    /// Waits for queued primitives to finish.
    static func wait() { check(dnnl_stream_wait(stream), "dnnl_stream_wait") }
}

/// A memory descriptor (shape, data type, layout) as a Swift value.
struct MemoryDesc: @unchecked Sendable {
    var raw = dnnl_memory_desc_t()

    /// A plain row-major descriptor, or `any` to let a primitive choose the layout.
    init(_ dims: [Int], _ dtype: DType, plain: Bool = true) {
        var d = dims.map { dnnl_dim_t($0) }
        let tag = plain ? MemoryDesc.plainTag(rank: dims.count) : dnnl_format_tag_any
        DNNL.check(dnnl_memory_desc_init_by_tag(&raw, Int32(dims.count), &d, dtype.dnnl, tag), "memory_desc_init \(dims)")
    }

    /// A descriptor of a given format tag (e.g. `dnnl_aBcd8b`).
    init(_ dims: [Int], _ dtype: DType, tag: dnnl_format_tag_t) {
        var d = dims.map { dnnl_dim_t($0) }
        DNNL.check(dnnl_memory_desc_init_by_tag(&raw, Int32(dims.count), &d, dtype.dnnl, tag), "memory_desc_init \(dims) tag \(tag.rawValue)")
    }

    /// A 2-D descriptor with explicit strides (a transposed view needs no copy).
    init(_ dims: [Int], strides: [Int], _ dtype: DType) {
        var d = dims.map { dnnl_dim_t($0) }
        var s = strides.map { dnnl_dim_t($0) }
        DNNL.check(dnnl_memory_desc_init_by_strides(&raw, Int32(dims.count), &d, dtype.dnnl, &s), "memory_desc_init_by_strides")
    }

    init(raw: dnnl_memory_desc_t) { self.raw = raw }

    static func plainTag(rank: Int) -> dnnl_format_tag_t {
        switch rank {
        case 1: return dnnl_a
        case 2: return dnnl_ab
        case 3: return dnnl_abc
        case 4: return dnnl_abcd
        case 5: return dnnl_abcde
        default: preconditionFailure("rank \(rank) is not supported")
        }
    }

    /// A heap copy of the raw descriptor for optional C arguments; the caller deallocates it.
    func pointer() -> UnsafeMutablePointer<dnnl_memory_desc_t> {
        let p = UnsafeMutablePointer<dnnl_memory_desc_t>.allocate(capacity: 1)
        p.initialize(to: raw)
        return p
    }

    var byteSize: Int { withUnsafePointer(to: raw) { dnnl_memory_desc_get_size($0) } }

    func equals(_ other: MemoryDesc) -> Bool {
        withUnsafePointer(to: raw) { a in withUnsafePointer(to: other.raw) { b in dnnl_memory_desc_equal(a, b) == 1 } }
    }
}

extension DType {
    var dnnl: dnnl_data_type_t {
        switch self {
        case .f32: return dnnl_f32
        case .s8: return dnnl_s8
        case .u8: return dnnl_u8
        case .s32: return dnnl_s32
        }
    }
}
