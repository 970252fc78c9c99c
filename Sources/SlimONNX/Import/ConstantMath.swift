import Foundation

/// The evaluation of a node whose inputs are all constants (see `ConstantFolder`).
enum ConstantMath {
    static func evaluate(_ context: ImportContext) throws -> ImportedConstant {
        let node = context.node
        let inputs = node.input.indices.map { context.constant($0) }
        guard let x = inputs.first ?? nil else { throw context.malformed("input 0 is missing") }
        switch node.opType {
        case "Identity": return x
        case "Neg": return map(x) { -$0 }
        case "Floor": return map(x) { $0.rounded(.down) }
        case "Ceil": return map(x) { $0.rounded(.up) }
        case "Sqrt": return map(x) { $0.squareRoot() }
        case "Cast":
            let to = node.int("to", default: 1)
            let float = [1, 10, 11, 16].contains(to)
            var y = float ? x : map(x) { $0.rounded(.towardZero) }
            y.isFloat = float
            return y
        case "Add", "Sub", "Mul", "Div":
            guard inputs.count == 2, let b = inputs[1] else { throw context.malformed("needs two inputs") }
            return try broadcast(x, b, context) { a, b in
                switch node.opType {
                case "Add": return a + b
                case "Sub": return a - b
                case "Mul": return a * b
                default: return x.isFloat ? a / b : (a / b).rounded(.towardZero)
                }
            }
        case "Concat": return try ConstantShapes.concat(inputs.compactMap { $0 }, axis: node.int("axis", default: 0), context)
        case "Gather": return try ConstantShapes.gather(x, indices: try required(inputs, 1, context), axis: node.int("axis", default: 0), context)
        case "Unsqueeze": return try ConstantShapes.unsqueeze(x, axes: try axes(inputs, context) ?? [], context)
        case "Squeeze": return try ConstantShapes.squeeze(x, axes: try axes(inputs, context), context)
        case "Reshape": return try ConstantShapes.reshape(x, to: try required(inputs, 1, context), context)
        case "Flatten":
            let axis = node.int("axis", default: 1), r = x.shape.count, a = axis < 0 ? axis + r : axis
            return x.reshaped([x.shape[..<a].reduce(1, *), x.shape[a...].reduce(1, *)])
        case "Slice": return try ConstantShapes.slice(x, inputs: inputs, context)
        case "Transpose": return try ConstantShapes.transpose(x, perm: node.ints("perm") ?? Array(x.shape.indices.reversed()), context)
        case "ConstantOfShape":
            guard let dims = x.integers, dims.allSatisfy({ $0 >= 0 }) else { throw context.unsupported("the shape \(x.values) is not known at import") }
            let fill = try context.node.attribute("value").map { try $0.t.importedConstant() }
            return ImportedConstant(shape: dims, values: .init(repeating: fill?.values.first ?? 0, count: dims.reduce(1, *)),
                                    isFloat: fill?.isFloat ?? true)
        default: throw context.unsupported("cannot be evaluated at import")
        }
    }

    static func required(_ inputs: [ImportedConstant?], _ i: Int, _ context: ImportContext) throws -> ImportedConstant {
        guard i < inputs.count, let c = inputs[i] else { throw context.malformed("input \(i) is missing") }
        return c
    }

    /// `axes` from the attribute (before opset 13) or input 1.
    static func axes(_ inputs: [ImportedConstant?], _ context: ImportContext) throws -> [Int]? {
        if let a = context.node.ints("axes") { return a }
        guard inputs.count > 1, let c = inputs[1] else { return nil }
        guard let a = c.integers else { throw context.malformed("axes \(c.values) are not integers") }
        return a
    }

    static func map(_ x: ImportedConstant, _ f: (Double) -> Double) -> ImportedConstant {
        ImportedConstant(shape: x.shape, values: x.values.map(f), isFloat: x.isFloat)
    }

    /// `f(a, b)` with numpy (multidirectional) broadcasting.
    static func broadcast(_ a: ImportedConstant, _ b: ImportedConstant, _ context: ImportContext,
                          _ f: (Double, Double) -> Double) throws -> ImportedConstant {
        let rank = max(a.shape.count, b.shape.count)
        let sa = [Int](repeating: 1, count: rank - a.shape.count) + a.shape
        let sb = [Int](repeating: 1, count: rank - b.shape.count) + b.shape
        var out: [Int] = []
        for (x, y) in zip(sa, sb) {
            guard x == y || x == 1 || y == 1 else { throw context.malformed("shapes \(a.shape) and \(b.shape) do not broadcast") }
            out.append(max(x, y))
        }
        let count = out.reduce(1, *)
        let ia = ConstantShapes.broadcastIndex(sa, to: out), ib = ConstantShapes.broadcastIndex(sb, to: out)
        let values = (0..<count).map { f(a.values[ia($0)], b.values[ib($0)]) }
        return ImportedConstant(shape: out, values: values, isFloat: a.isFloat || b.isFloat)
    }
}
