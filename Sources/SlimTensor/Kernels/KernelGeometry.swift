/// Geometry of a 2-D convolution (NCHW activations, OIHW weights: `[O, C/groups, KH, KW]`).
public struct ConvGeometry: Hashable, Sendable {
    public var strides: [Int]      // [sh, sw]
    public var paddings: [Int]     // [top, left, bottom, right]
    public var dilations: [Int]    // [dh, dw], 1 = dense
    public var groups: Int

    public init(strides: [Int] = [1, 1], paddings: [Int] = [0, 0, 0, 0], dilations: [Int] = [1, 1], groups: Int = 1) {
        precondition(strides.count == 2 && dilations.count == 2, "strides/dilations need 2 values")
        self.strides = strides
        self.paddings = paddings.count == 2 ? [paddings[0], paddings[1], paddings[0], paddings[1]] : paddings
        precondition(self.paddings.count == 4, "paddings need 2 or 4 values")
        self.dilations = dilations
        self.groups = groups
    }

    /// Output shape `[N, O, OH, OW]` for input `[N, C, H, W]` and weights `[O, C/g, KH, KW]`.
    public func outputShape(input x: [Int], filter w: [Int]) -> [Int] {
        let oh = (x[2] + paddings[0] + paddings[2] - (dilations[0] * (w[2] - 1) + 1)) / strides[0] + 1
        let ow = (x[3] + paddings[1] + paddings[3] - (dilations[1] * (w[3] - 1) + 1)) / strides[1] + 1
        return [x[0], w[0], oh, ow]
    }
}

/// Pooling kind.
public enum PoolKind: String, CaseIterable, Codable, Sendable {
    case max
    case avg          // average, padding excluded from the divisor (Paddle's `exclusive: true`)
    case avgInclusive // average, padding included
}

/// Geometry of a 2-D pooling window.
public struct PoolGeometry: Hashable, Sendable {
    public var kind: PoolKind
    public var kernel: [Int]     // [kh, kw]
    public var strides: [Int]    // [sh, sw]
    public var paddings: [Int]   // [top, left, bottom, right]

    public init(kind: PoolKind, kernel: [Int], strides: [Int], paddings: [Int] = [0, 0, 0, 0]) {
        self.kind = kind
        self.kernel = kernel
        self.strides = strides
        self.paddings = paddings.count == 2 ? [paddings[0], paddings[1], paddings[0], paddings[1]] : paddings
    }

    /// Output shape for input `[N, C, H, W]` (floor mode).
    public func outputShape(input x: [Int]) -> [Int] {
        let oh = (x[2] + paddings[0] + paddings[2] - kernel[0]) / strides[0] + 1
        let ow = (x[3] + paddings[1] + paddings[3] - kernel[1]) / strides[1] + 1
        return [x[0], x[1], oh, ow]
    }
}
