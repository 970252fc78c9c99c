import Foundation

/// Constant operands of one prepared primitive (int8 weights) held in the layout the primitive
/// chose for them, so a layer reorders its weights once instead of on every call.
///
/// Entries are keyed by the identity of the caller's storage, which the entry keeps alive: a
/// tensor's storage is never written while another reference holds it (copy-on-write), so equal
/// identity means equal bytes. At most `capacity` entries per argument (oldest dropped first):
/// two layers sharing one primitive (same shapes, scales and post-ops) both stay packed.
final class PackedConstants: @unchecked Sendable {
    private struct Entry {
        let source: TensorStorage
        let packed: Tensor
    }

    private var entries: [Int32: [Entry]] = [:]
    private let lock = NSLock()
    let capacity = 8

    /// `t` (plain) in `layout` for argument `arg`, made by `pack` the first time this storage is seen.
    func value(_ arg: Int32, _ t: Tensor, pack: () -> Tensor) -> Tensor {
        let source = t.storage
        lock.lock(); defer { lock.unlock() }
        if let hit = entries[arg]?.first(where: { $0.source === source }) { return hit.packed }
        let packed = pack()
        var list = entries[arg] ?? []
        if list.count >= capacity { list.removeFirst() }
        list.append(Entry(source: source, packed: packed))
        entries[arg] = list
        return packed
    }
}
