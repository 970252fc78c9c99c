import SlimTensor

/// The values of one op's vars by name: a few entries (an op reads and writes a handful of vars),
/// kept in insertion order and found by comparing names, which is cheaper than hashing them
/// (the names usually share storage with the op's desc, so equal names compare in one step).
struct OpValues {
    private var names: [String] = []
    private var tensors: [Tensor] = []

    init() {
        names.reserveCapacity(6)
        tensors.reserveCapacity(6)
    }

    var isEmpty: Bool { names.isEmpty }

    subscript(name: String) -> Tensor? {
        get { names.firstIndex(of: name).map { tensors[$0] } }
        set {
            if let i = names.firstIndex(of: name) {
                if let newValue { tensors[i] = newValue } else { names.remove(at: i); tensors.remove(at: i) }
            } else if let newValue {
                names.append(name)
                tensors.append(newValue)
            }
        }
    }

    mutating func removeAll() {
        names.removeAll(keepingCapacity: true)
        tensors.removeAll(keepingCapacity: true)
    }
}
