import SlimGraph

/// `Softmax` -> `softmax`. From opset 13 along `axis` (-1); before, over the dims from `axis`
/// (1) on flattened: one `softmax` when that is the last dim (or the later dims are 1), else
/// `reshape2` to [.., -1], `softmax`, `reshape2` back.
enum SoftmaxImporter: ImportConverter {
    static let opTypes = ["Softmax"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0), xs = context.shape(x), rank = xs.count
        let axis = context.node.int("axis", default: context.opset >= 13 ? -1 : 1), a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else { throw context.malformed("axis \(axis) for rank \(rank)") }
        if context.opset >= 13 || a == rank - 1 || xs[(a + 1)...].allSatisfy({ $0 == 1 }) {
            try context.emitUnary("softmax", x, ["axis": .int(a)])
            return
        }
        guard a >= 1, xs.dropFirst().allSatisfy({ $0 > 0 }) else { throw context.unsupported("axis \(axis) over dims \(xs)") }
        let flat = context.temporary("\(x).flat"), soft = context.temporary("\(x).softmax")
        try context.emit("reshape2", ["X": [x]], ["Out": [flat]], ["shape": .ints([0] + xs[1..<a] + [-1])])
        try context.emit("softmax", ["X": [flat]], ["Out": [soft]], ["axis": .int(-1)])
        try context.emitUnary("reshape2", soft, ["shape": .ints([0] + xs.dropFirst())])
    }
}
