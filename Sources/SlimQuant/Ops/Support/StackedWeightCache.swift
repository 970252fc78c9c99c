import Foundation
import SlimTensor

/// The stacked weights `[w, -w]` of `Int8SignedInput`, made once per weight tensor instead of on
/// every call (and so, as one tensor identity, also reordered once by the kernels' packed
/// weights).
///
/// Keyed by the identity of the weight's storage, which an entry keeps alive: storage is never
/// written while another reference holds it (copy-on-write), so the same identity means the same
/// values. Holds at most `capacity` entries, oldest dropped first.
final class StackedWeightCache: @unchecked Sendable {
    static let shared = StackedWeightCache()

    private struct Entry {
        let source: TensorStorage
        let kind: String
        let stacked: Tensor
    }

    private var entries: [Entry] = []
    private let lock = NSLock()
    let capacity = 32

    /// The stacked form of `w` for `kind` (the op and its grouping), made by `stack` the first time.
    func value(_ w: Tensor, kind: String, stack: () -> Tensor) -> Tensor {
        let source = w.storage
        lock.lock(); defer { lock.unlock() }
        if let hit = entries.first(where: { $0.source === source && $0.kind == kind }) { return hit.stacked }
        let stacked = stack()
        if entries.count >= capacity { entries.removeFirst() }
        entries.append(Entry(source: source, kind: kind, stacked: stacked))
        return stacked
    }
}
