import SlimTensor

extension OpDesc {
    /// The convolution geometry of a `conv2d` / `depthwise_conv2d` op from its attrs.
    ///
    /// `paddings` is `[ph, pw]` (both sides) or Paddle's four values `[top, bottom, left, right]`.
    /// - Throws: `GraphError` for attrs of the wrong length or non-positive strides, dilations, groups.
    func convGeometry() throws -> ConvGeometry {
        let strides = ints("strides", default: [1, 1]), dilations = ints("dilations", default: [1, 1])
        let groups = int("groups", default: 1)
        guard strides.count == 2, strides.allSatisfy({ $0 > 0 }) else { throw attrError("strides", strides, "two positive values") }
        guard dilations.count == 2, dilations.allSatisfy({ $0 > 0 }) else { throw attrError("dilations", dilations, "two positive values") }
        guard groups > 0 else { throw attrError("groups", [groups], "a positive value") }
        return ConvGeometry(strides: strides, paddings: try paddingsTLBR(), dilations: dilations, groups: groups)
    }

    /// `paddings` as `[top, left, bottom, right]` (the kernels' order) from Paddle's 2 or 4 values.
    func paddingsTLBR() throws -> [Int] {
        let p = ints("paddings", default: [0, 0])
        guard p.allSatisfy({ $0 >= 0 }) else { throw attrError("paddings", p, "non-negative values") }
        switch p.count {
        case 2: return [p[0], p[1], p[0], p[1]]
        case 4: return [p[0], p[2], p[1], p[3]]
        default: throw attrError("paddings", p, "2 values [ph, pw] or 4 values [top, bottom, left, right]")
        }
    }

    /// A `GraphError` for a bad attr value.
    func attrError(_ name: String, _ value: [Int], _ expected: String) -> GraphError {
        GraphError("op '\(type)': attr '\(name)' is \(value), expected \(expected)")
    }
}

extension ConvGeometry {
    /// One output spatial size (`-1` when the input size is unknown); throws when it is not positive.
    func outputSize(_ size: Int, kernel: Int, dim: Int, op: OpDesc) throws -> Int {
        guard size >= 0 else { return -1 }
        let extent = dilations[dim] * (kernel - 1) + 1
        let out = (size + paddings[dim] + paddings[dim + 2] - extent) / strides[dim] + 1
        guard size + paddings[dim] + paddings[dim + 2] >= extent, out > 0 else {
            throw GraphError("op '\(op.type)': kernel extent \(extent) is larger than the padded input size \(size + paddings[dim] + paddings[dim + 2])")
        }
        return out
    }
}
