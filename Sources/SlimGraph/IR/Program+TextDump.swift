extension Program {
    /// A deterministic, human-readable listing of the program for golden tests and debugging:
    ///
    ///     feeds: [image, label]
    ///     fetches: [fc_0.tmp_2]
    ///     vars:
    ///       image: f32[-1, 1, 28, 28]
    ///       conv2d_0.w_0: f32[8, 1, 3, 3] persistable trainable
    ///     ops:
    ///       conv2d(Filter=[conv2d_0.w_0], Input=[image]) -> (Output=[conv2d_0.tmp_0]) {groups=1, strides=[1, 1]}
    ///
    /// Vars and ops in program order; slots and attrs sorted by name; one trailing newline.
    public func textDump() -> String {
        var lines = ["feeds: [\(feeds.joined(separator: ", "))]", "fetches: [\(fetches.joined(separator: ", "))]", "vars:"]
        for v in vars { lines.append("  " + Program.dumpLine(v)) }
        lines.append("ops:")
        for op in ops { lines.append("  " + Program.dumpLine(op)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `name: dtype[dims]` plus `persistable` / `trainable` flags.
    static func dumpLine(_ v: VarDesc) -> String {
        let dims = v.shape.map(String.init).joined(separator: ", ")
        let flags = (v.persistable ? " persistable" : "") + (v.trainable ? " trainable" : "")
        return "\(v.name): \(v.dtype.rawValue)[\(dims)]\(flags)"
    }

    /// `type(Slot=[vars], ...) -> (Slot=[vars], ...) {attr=value, ...}`, the attrs part omitted
    /// when there are none.
    static func dumpLine(_ op: OpDesc) -> String {
        func slots(_ s: [String: [String]]) -> String {
            s.keys.sorted().map { "\($0)=[\((s[$0] ?? []).joined(separator: ", "))]" }.joined(separator: ", ")
        }
        let attrs = op.attrs.keys.sorted().map { "\($0)=\(op.attrs[$0].map(String.init(describing:)) ?? "")" }
        let tail = attrs.isEmpty ? "" : " {\(attrs.joined(separator: ", "))}"
        return "\(op.type)(\(slots(op.inputs))) -> (\(slots(op.outputs)))\(tail)"
    }
}
