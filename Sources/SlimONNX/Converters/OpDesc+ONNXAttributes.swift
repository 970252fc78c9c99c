import SlimGraph

extension OpDesc {
    /// Paddle's `paddings` (`[ph, pw]` or `[top, bottom, left, right]`) as ONNX `pads`
    /// `[top, left, bottom, right]`.
    func onnxPads() throws -> [Int] {
        let p = ints("paddings", default: [0, 0])
        guard p.allSatisfy({ $0 >= 0 }) else { throw ONNXExportError.op(self, "negative paddings \(p)") }
        switch p.count {
        case 2: return [p[0], p[1], p[0], p[1]]
        case 4: return [p[0], p[2], p[1], p[3]]
        default: throw ONNXExportError.op(self, "paddings \(p): expected [ph, pw] or [top, bottom, left, right]")
        }
    }

    /// Attr `name` holding two positive ints (strides, dilations, ksize).
    func pair(_ name: String, default value: [Int]) throws -> [Int] {
        let v = ints(name, default: value)
        guard v.count == 2, v.allSatisfy({ $0 > 0 }) else { throw ONNXExportError.op(self, "attr '\(name)' is \(v), expected two positive values") }
        return v
    }
}
