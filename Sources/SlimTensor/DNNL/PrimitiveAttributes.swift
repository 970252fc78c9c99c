import CDNNL

/// oneDNN primitive attributes (output scales, post-ops) for one primitive creation.
final class PrimitiveAttributes: @unchecked Sendable {
    let handle: OpaquePointer

    init() {
        var a: OpaquePointer?
        DNNL.check(dnnl_primitive_attr_create(&a), "primitive_attr_create")
        handle = a!
    }

    /// Output scales fixed at creation: one common scale (mask 0) or one per index of the dimensions
    /// in `mask`. (oneDNN 2.6's int8 convolutions do not take runtime scales.)
    func setOutputScales(_ scales: [Float], mask: Int32) {
        DNNL.check(dnnl_primitive_attr_set_output_scales(handle, dnnl_dim_t(scales.count), mask, scales), "set_output_scales")
    }

    /// A zero point of argument `arg` (`DNNL_ARG_SRC`) given at execution (one common value, an
    /// s32 memory bound as `DNNL_ARG_ATTR_ZERO_POINTS | arg`): the primitive computes on `x - zp`
    /// and pads with `zp` (a padded position holds the value 0).
    func setRuntimeZeroPoint(_ arg: Int32) {
        var runtime = Int32.min   // DNNL_RUNTIME_S32_VAL
        DNNL.check(dnnl_primitive_attr_set_zero_points(handle, arg, 1, 0, &runtime), "set_zero_points")
    }

    /// Post-ops applied in order to the scaled result before conversion to the destination type.
    func setPostOps(_ ops: [PostOp], sumType: DType) {
        var po: OpaquePointer?
        DNNL.check(dnnl_post_ops_create(&po), "post_ops_create")
        defer { dnnl_post_ops_destroy(po) }
        for op in ops {
            switch op {
            case let .eltwise(kind):
                let (alg, alpha, beta) = kind.algorithm
                DNNL.check(dnnl_post_ops_append_eltwise(po, 1, alg, alpha, beta), "post_ops_append_eltwise \(kind)")
            case let .sum(scale):
                DNNL.check(dnnl_post_ops_append_sum_v2(po, scale, sumType.dnnl), "post_ops_append_sum")
            }
        }
        DNNL.check(dnnl_primitive_attr_set_post_ops(handle, po), "set_post_ops")
    }

    deinit { dnnl_primitive_attr_destroy(handle) }
}
