import SlimTensor

extension ProgramBuilder {
    /// `conv2d` (or `depthwise_conv2d` when groups == input channels == filters), an optional
    /// bias (`elementwise_add`, axis 1) and an optional activation. Filters are MSRA-initialised.
    /// Parameters are `conv2d_N.w_0` / `.b_0` unless `names` gives Paddle `ParamAttr` names.
    public mutating func conv2d(_ x: String, filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                                groups: Int = 1, bias: Bool = false, act: Activation? = nil,
                                names: (weights: String, bias: String)? = nil) -> String {
        let xs = shape(x)
        let channels = xs[1]
        precondition(channels % groups == 0 && filters % groups == 0, "conv2d groups \(groups) for \(channels) -> \(filters)")
        let depthwise = groups > 1 && groups == channels && filters == channels
        var l = layer("conv2d")
        let fanIn = channels / groups * kernel * kernel
        let w = parameter(named: names?.weights ?? "\(l.prefix).w_0", shape: [filters, channels / groups, kernel, kernel],
                          .msraNormal(fanIn: fanIn))
        let g = ConvGeometry(strides: [stride, stride], paddings: [padding, padding], groups: groups)
        let out = temporary(&l, shape: g.outputShape(input: xs, filter: [filters, channels / groups, kernel, kernel]))
        append(depthwise ? "depthwise_conv2d" : "conv2d", ["Input": [x], "Filter": [w]], ["Output": [out]], [
            "strides": .ints([stride, stride]), "paddings": .ints([padding, padding]),
            "dilations": .ints([1, 1]), "groups": .int(groups),
        ])
        var y = out
        if bias {
            let b = parameter(named: names?.bias ?? "\(l.prefix).b_0", shape: [filters], .constant(0))
            let sum = temporary(&l, shape: shape(out))
            append("elementwise_add", ["X": [out], "Y": [b]], ["Out": [sum]], ["axis": .int(1)])
            y = sum
        }
        return activation(y, act, in: &l)
    }

    /// `batch_norm` over channels (axis 1) with scale 1, bias 0, running mean 0, variance 1;
    /// parameters `batch_norm_N.w_0`, `.b_0`, `.w_1`, `.w_2` unless `names` gives Paddle's.
    public mutating func batchNorm(_ x: String, act: Activation? = nil, momentum: Double = 0.9, epsilon: Double = 1e-5,
                                   names: ConvNormNames? = nil) -> String {
        let c = shape(x)[1]
        var l = layer("batch_norm")
        let scale = parameter(named: names?.scale ?? "\(l.prefix).w_0", shape: [c], .constant(1))
        let bias = parameter(named: names?.offset ?? "\(l.prefix).b_0", shape: [c], .constant(0))
        let mean = parameter(named: names?.mean ?? "\(l.prefix).w_1", shape: [c], trainable: false, .constant(0))
        let variance = parameter(named: names?.variance ?? "\(l.prefix).w_2", shape: [c], trainable: false, .constant(1))
        let savedMean = temporary(&l, shape: [c]), savedVariance = temporary(&l, shape: [c])
        let y = temporary(&l, shape: shape(x))
        append("batch_norm", ["X": [x], "Scale": [scale], "Bias": [bias], "Mean": [mean], "Variance": [variance]],
               ["Y": [y], "MeanOut": [mean], "VarianceOut": [variance], "SavedMean": [savedMean], "SavedVariance": [savedVariance]],
               ["epsilon": .float(epsilon), "momentum": .float(momentum), "is_test": .bool(false)])
        return activation(y, act, in: &l)
    }

    /// A fully connected layer: flatten to 2-D (`x_num_col_dims` 1), `mul`, `+ bias`, activation.
    /// Parameters `fc_N.w_0` / `.b_0` unless `names` gives Paddle `ParamAttr` names.
    public mutating func fc(_ x: String, size: Int, act: Activation? = nil, names: (weights: String, bias: String)? = nil) -> String {
        let xs = shape(x)
        let k = xs.dropFirst().reduce(1, *)
        var l = layer("fc")
        let w = parameter(named: names?.weights ?? "\(l.prefix).w_0", shape: [k, size], .xavierUniform(fanIn: k, fanOut: size))
        let b = parameter(named: names?.bias ?? "\(l.prefix).b_0", shape: [size], .constant(0))
        let product = temporary(&l, shape: [xs[0], size])
        append("mul", ["X": [x], "Y": [w]], ["Out": [product]], ["x_num_col_dims": .int(1), "y_num_col_dims": .int(1)])
        let sum = temporary(&l, shape: [xs[0], size])
        append("elementwise_add", ["X": [product], "Y": [b]], ["Out": [sum]], ["axis": .int(1)])
        return activation(sum, act, in: &l)
    }

    /// `pool2d`: max or average (padding excluded), or global average when `global`.
    public mutating func pool2d(_ x: String, type: String, kernel: Int = 2, stride: Int = 2, padding: Int = 0, global: Bool = false) -> String {
        let xs = shape(x)
        var l = layer("pool2d")
        let outShape = global ? [xs[0], xs[1], 1, 1]
            : PoolGeometry(kind: .max, kernel: [kernel, kernel], strides: [stride, stride], paddings: [padding, padding]).outputShape(input: xs)
        let out = temporary(&l, shape: outShape)
        append("pool2d", ["X": [x]], ["Out": [out]], [
            "pooling_type": .string(type), "ksize": .ints(global ? [xs[2], xs[3]] : [kernel, kernel]),
            "strides": .ints(global ? [1, 1] : [stride, stride]), "paddings": .ints(global ? [0, 0] : [padding, padding]),
            "global_pooling": .bool(global), "exclusive": .bool(true),
        ])
        return out
    }

    /// `elementwise_add` of two same-shaped vars (a residual), then an optional activation.
    public mutating func add(_ a: String, _ b: String, act: Activation? = nil) -> String {
        var l = layer("elementwise_add")
        let out = temporary(&l, shape: shape(a))
        append("elementwise_add", ["X": [a], "Y": [b]], ["Out": [out]], ["axis": .int(-1)])
        return activation(out, act, in: &l)
    }

    /// `elementwise_mul` of `x` by `y` broadcast onto it (a squeeze-and-excitation gate: `x`
    /// [N, C, H, W] times `y` [N, C, 1, 1]).
    public mutating func multiply(_ x: String, _ y: String) -> String {
        var l = layer("elementwise_mul")
        let out = temporary(&l, shape: shape(x))
        append("elementwise_mul", ["X": [x], "Y": [y]], ["Out": [out]], ["axis": .int(-1)])
        return out
    }

    /// `dropout` with Paddle's upscale_in_train (identity at eval).
    public mutating func dropout(_ x: String, probability: Double) -> String {
        var l = layer("dropout")
        let out = temporary(&l, shape: shape(x))
        let mask = temporary(&l, shape: shape(x))
        append("dropout", ["X": [x]], ["Out": [out], "Mask": [mask]], [
            "dropout_prob": .float(probability), "is_test": .bool(false), "dropout_implementation": .string("upscale_in_train"),
        ])
        return out
    }

    /// A standalone activation op (`relu_0.tmp_0`).
    public mutating func activation(_ x: String, _ act: Activation) -> String {
        var l = layer(act.rawValue)
        return activation(x, act, in: &l)
    }

    mutating func activation(_ x: String, _ act: Activation?, in l: inout Layer) -> String {
        guard let act else { return x }
        let out = temporary(&l, shape: shape(x))
        append(act.rawValue, ["X": [x]], ["Out": [out]], act == .relu6 ? ["threshold": .float(6)] : [:])
        return out
    }
}
