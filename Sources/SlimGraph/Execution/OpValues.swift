import SlimTensor

/// The values of one op's vars by name: a few entries (an op reads and writes a handful of vars),
/// kept in insertion order and found by comparing names, which is cheaper than hashing them
/// (the names usually share storage with the op's desc, so equal names compare in one step).
///
/// The first entries are the op's inputs in `OpDesc.inputNames` order (entry `k` is input `k`);
/// outputs follow. An entry may be empty: an input handed over (`take`), or one an eval-mode
/// context has not been given again (`removeAll(keeping:)`).
struct OpValues {
    private var names: [String] = []
    private var tensors: [Tensor?] = []

    init() {
        names.reserveCapacity(6)
        tensors.reserveCapacity(6)
    }

    var isEmpty: Bool { names.isEmpty }

    /// Adds `value` under `name` without looking for an earlier entry of that name: the executor
    /// adds an op's inputs in `OpDesc.inputNames` order, so input `k` of that list is entry `k`
    /// (`value(_:at:)`). A name added twice (a var read through two slots) keeps both entries, of
    /// the same value; lookups and writes by name see the first.
    mutating func append(_ name: String, _ value: Tensor) {
        names.append(name)
        tensors.append(value)
    }

    /// Sets input `position` (of `OpDesc.inputNames`): the entry when there is one (a reused
    /// context), else appended (`position` is then the number of entries).
    mutating func setInput(_ position: Int, _ name: String, _ value: Tensor) {
        if position < names.count {
            tensors[position] = value
        } else {
            append(name, value)
        }
    }

    /// Whether entry `position` holds a value.
    func holds(_ position: Int) -> Bool {
        position < tensors.count && tensors[position] != nil
    }

    /// The value of `name`, looked for first at entry `position` (one comparison of names that
    /// usually share storage), then by name.
    func value(_ name: String, at position: Int) -> Tensor? {
        if position < names.count, names[position] == name { return tensors[position] }
        return self[name]
    }

    /// Removes the value of `name` (looked for as in `value(_:at:)`) and returns it: the entry is
    /// then empty, so these values keep no reference to the bytes.
    mutating func take(_ name: String, at position: Int) -> Tensor? {
        let i = position < names.count && names[position] == name ? position : names.firstIndex(of: name)
        guard let i else { return nil }
        let value = tensors[i]
        tensors[i] = nil
        return value
    }

    /// The value an op wrote to output `name`, given that the first `inputs` entries are its
    /// inputs: looked for from the last entry back to the inputs (an output is usually the last
    /// entry), then as `self[name]` (an output written over an input of the same name).
    func output(_ name: String, inputs: Int) -> Tensor? {
        var i = names.count - 1
        while i >= inputs {
            if names[i] == name { return tensors[i] }
            i -= 1
        }
        return self[name]
    }

    subscript(name: String) -> Tensor? {
        get { names.firstIndex(of: name).flatMap { tensors[$0] } }
        set {
            if let i = names.firstIndex(of: name) {
                tensors[i] = newValue
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

    /// Empties every entry but the inputs `kept` marks (one flag per input), and removes the
    /// entries after the inputs (outputs), so that the next run's inputs are entries again.
    mutating func removeAll(keeping kept: [Bool]) {
        if names.count > kept.count {
            names.removeSubrange(kept.count...)
            tensors.removeSubrange(kept.count...)
        }
        for (i, keep) in kept.enumerated() where !keep && i < tensors.count { tensors[i] = nil }
    }
}
