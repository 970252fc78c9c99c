import SlimGraph

/// `Clip` (bounds as attributes before opset 11, as optional constant inputs from 11) ->
/// `relu6` for [0, 6], `relu` for [0, +inf), `clip` otherwise.
enum ClipImporter: ImportConverter {
    static let opTypes = ["Clip"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0)
        var lo = -Double(Float.greatestFiniteMagnitude), hi = Double(Float.greatestFiniteMagnitude)
        if context.opset < 11 {
            lo = Double(context.node.float("min", default: Float(lo)))
            hi = Double(context.node.float("max", default: Float(hi)))
        } else {
            if context.hasInput(1) { lo = try bound(context, 1, "min") }
            if context.hasInput(2) { hi = try bound(context, 2, "max") }
        }
        if lo == 0 && hi == 6 {
            try context.emitUnary("relu6", x)
        } else if lo == 0 && hi >= Double(Float.greatestFiniteMagnitude) {
            try context.emitUnary("relu", x)
        } else {
            try context.emitUnary("clip", x, ["min": .float(lo), "max": .float(hi)])
        }
    }

    private static func bound(_ context: ImportContext, _ i: Int, _ role: String) throws -> Double {
        let c = try context.requireConstant(i, role)
        guard c.count == 1, let v = c.values.first, !v.isNaN else { throw context.malformed("\(role) must be one number, got \(c.values)") }
        return v
    }
}
