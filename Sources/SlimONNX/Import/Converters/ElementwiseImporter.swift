import SlimGraph

/// `Add`, `Sub`, `Mul`, `Div` -> `elementwise_add`/`_sub`/`_mul`/`_div` (axis -1: numpy
/// alignment from the right). The second operand must broadcast onto the first; for `Add` and
/// `Mul` the operands are swapped when only the first broadcasts onto the second (or is the
/// constant); a constant minus a tensor becomes `elementwise_mul` by -1 then `elementwise_add`.
/// Both constant: folded at import (`ConstantFolder`).
enum ElementwiseImporter: ImportConverter {
    static let opTypes = ["Add", "Sub", "Mul", "Div"]

    static func convert(_ context: inout ImportContext) throws {
        let type = "elementwise_" + context.node.opType.lowercased()
        var (a, b) = (try context.variable(0), try context.variable(1))
        let commutative = context.node.opType == "Add" || context.node.opType == "Mul"
        let constantFirst = context.constant(0) != nil && context.constant(1) == nil
        if commutative && (constantFirst || !broadcasts(context.shape(b), onto: context.shape(a))) { swap(&a, &b) }
        if context.node.opType == "Sub", constantFirst, broadcasts(context.shape(a), onto: context.shape(b)) {
            // c - x as (x * -1) + c
            let negated = context.temporary("\(context.node.output.first ?? "sub").neg")
            let minusOne = context.parameter(ImportedConstant(shape: [1], values: [-1], isFloat: true).tensor, name: "\(negated).scale")
            try context.emit("elementwise_mul", ["X": [b], "Y": [minusOne]], ["Out": [negated]], ["axis": .int(-1)])
            try context.emit("elementwise_add", ["X": [negated], "Y": [a]], ["Out": [try context.output()]], ["axis": .int(-1)])
            return
        }
        guard broadcasts(context.shape(b), onto: context.shape(a)) else {
            throw context.unsupported("operand shapes \(context.shape(a)) and \(context.shape(b)): the second must broadcast onto the first")
        }
        try context.emit(type, ["X": [a], "Y": [b]], ["Out": [try context.output()]], ["axis": .int(-1)])
    }

    /// Whether `y` broadcasts onto `x` aligned from the right (`-1` only matches `-1` or 1).
    static func broadcasts(_ y: [Int], onto x: [Int]) -> Bool {
        guard y.count <= x.count else { return false }
        return zip(y.reversed(), x.reversed()).allSatisfy { $0 == 1 || $0 == $1 }
    }
}
