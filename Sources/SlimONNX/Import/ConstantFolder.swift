/// Evaluates at import time the nodes whose inputs are all known: `Constant`, `Shape` of a var
/// (its static shape, the batch dim as `ImportedConstant.batch`), and shape arithmetic on
/// constants (`Gather`, `Unsqueeze`, `Squeeze`, `Concat`, `Cast`, `Slice`, `Reshape`,
/// `ConstantOfShape`, element-wise `Add`/`Sub`/`Mul`/`Div`/`Neg`, `Identity`, ...), as
/// PyTorch emits before `Reshape`.
enum ConstantFolder {
    static let opTypes: Set<String> = [
        "Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Slice", "Reshape", "ConstantOfShape",
        "Add", "Sub", "Mul", "Div", "Neg", "Identity", "Floor", "Ceil", "Sqrt", "Flatten", "Size", "Transpose",
    ]

    /// Folds `context.node` when it can be evaluated now, binding its output as a constant.
    /// - Returns: false when the node must run (some input is a run-time var).
    static func fold(_ context: inout ImportContext) throws -> Bool {
        let node = context.node
        guard opTypes.contains(node.opType), node.output.count == 1 else { return false }
        let value: ImportedConstant
        switch node.opType {
        case "Constant": value = try constantAttribute(&context)
        case "Shape", "Size":
            guard context.hasInput(0) else { throw context.malformed("input 0 is missing") }
            let shape = try context.inputShape(0).map { $0 < 0 ? ImportedConstant.batch : Double($0) }
            if node.opType == "Size" {
                value = ImportedConstant(shape: [], values: [shape.reduce(1, *)], isFloat: false)
            } else {
                value = .ints(slice(shape, start: node.int("start", default: 0), end: node.int("end", default: shape.count)))
            }
        default:
            let present = node.input.indices.filter { context.hasInput($0) }
            guard !present.isEmpty, present.allSatisfy({ context.constant($0) != nil }) else { return false }
            value = try ConstantMath.evaluate(context)
        }
        context.constants[node.output[0]] = value
        return true
    }

    /// `Constant`'s value from whichever attribute it carries.
    private static func constantAttribute(_ context: inout ImportContext) throws -> ImportedConstant {
        let node = context.node
        if let t = node.attribute("value") {
            context.elementTypes[node.output[0]] = t.t.dataType
            return try t.t.importedConstant()
        }
        if let a = node.attribute("value_float") { return ImportedConstant(shape: [], values: [Double(a.f)], isFloat: true) }
        if let a = node.attribute("value_floats") { return ImportedConstant(shape: [a.floats.count], values: a.floats.map(Double.init), isFloat: true) }
        if let a = node.attribute("value_int") { return ImportedConstant(shape: [], values: [Double(a.i)], isFloat: false) }
        if let a = node.attribute("value_ints") { return .ints(a.ints.map(Double.init)) }
        throw context.unsupported("only value, value_float(s) and value_int(s) constants are supported")
    }

    /// ONNX `Shape`'s start/end (opset 15): negative values count from the end, clamped.
    static func slice(_ values: [Double], start: Int, end: Int) -> [Double] {
        let n = values.count
        let s = min(max(start < 0 ? start + n : start, 0), n), e = min(max(end < 0 ? end + n : end, 0), n)
        return s < e ? Array(values[s..<e]) : []
    }
}
