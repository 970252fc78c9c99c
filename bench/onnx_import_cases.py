"""Writes tiny ONNX models, one per converter case of `slim import`, with a random input and the
ONNX Runtime outputs, for Tests/SlimCLITests/ONNXImportEndToEndTests.swift.

    onnx_import_cases.py --out DIR [--only NAME ...]
    onnx_import_cases.py --recheck DIR --models MODELS_DIR

For each case NAME: DIR/NAME.onnx, DIR/NAME.input.f32 (little-endian float32, row-major) and
DIR/NAME.out<k>.f32 per graph output. DIR/cases.json lists {"name", "opset", "input_shape",
"outputs": [shape, ...]}. --recheck runs MODELS_DIR/NAME.onnx (the cases after slim import and
slim export) in ONNX Runtime on DIR's inputs and prints {NAME: max |y - expected| / max |expected|}
for every case whose file exists.
"""
import argparse
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(7)


def w(*shape, scale=0.5):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def node(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, name=f"{op.lower()}_{outputs[0]}", **attrs)


class Case:
    def __init__(self, name, opset, shape, nodes, inits=(), outputs=("y",), low=-2.0, high=2.0):
        self.name, self.opset, self.shape = name, opset, list(shape)
        self.nodes, self.inits, self.outputs, self.low, self.high = nodes, list(inits), list(outputs), low, high

    def model(self):
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N"] + self.shape[1:])
        ys = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in self.outputs]
        graph = helper.make_graph(self.nodes, self.name, [x], ys, initializer=self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)],
                                  ir_version=8 if self.opset <= 17 else 10)
        return model


def conv_cases():
    c = []
    for name, attrs, wshape in [
        ("conv_pads", dict(pads=[1, 2, 0, 1], strides=[2, 1]), (4, 3, 3, 3)),
        ("conv_same_upper", dict(auto_pad="SAME_UPPER", strides=[2, 2]), (4, 3, 4, 4)),
        ("conv_same_lower", dict(auto_pad="SAME_LOWER", strides=[2, 2]), (4, 3, 4, 4)),
        ("conv_valid", dict(auto_pad="VALID", strides=[1, 2]), (4, 3, 3, 2)),
        ("conv_dilated", dict(pads=[2, 2, 2, 2], dilations=[2, 2]), (5, 3, 3, 3)),
    ]:
        c.append(Case(name, 13, [2, 3, 9, 9], [node("Conv", ["x", "w", "b"], ["y"], **attrs)], [init("w", w(*wshape)), init("b", w(wshape[0]))]))
    c.append(Case("conv_group", 11, [2, 4, 8, 8], [node("Conv", ["x", "w"], ["y"], group=2, pads=[1, 1, 1, 1])], [init("w", w(6, 2, 3, 3))]))
    c.append(Case("conv_depthwise_bn_relu", 9, [2, 4, 8, 8],
                  [node("Conv", ["x", "w"], ["c"], group=4, pads=[1, 1, 1, 1], strides=[2, 2]),
                   node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["bn"], epsilon=1e-3),
                   node("Relu", ["bn"], ["y"])],
                  [init("w", w(4, 1, 3, 3)), init("s", w(4) + 1), init("bb", w(4)), init("m", w(4)), init("v", np.abs(w(4)) + 0.5)]))
    # Paddle2ONNX's MobileNetV3 forms: a bias as an Add of a [1, O, 1, 1] constant, hard swish as
    # x * relu6(x + 3) / 6 (imported as one hard_swish op, the bias inside the convolution).
    c.append(Case("conv_add_bias_decomposed_hardswish_opset11", 11, [2, 3, 8, 8],
                  [node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]), node("Add", ["c", "b"], ["cb"]),
                   node("Add", ["cb", "three"], ["a"]), node("Clip", ["a", "lo", "hi"], ["r"]),
                   node("Mul", ["cb", "r"], ["m"]), node("Div", ["m", "six"], ["y"])],
                  [init("w", w(4, 3, 3, 3)), init("b", w(1, 4, 1, 1)), init("three", np.float32(3)),
                   init("lo", np.float32(0)), init("hi", np.float32(6)), init("six", np.float32(6))], low=-4, high=4))
    return c


def activation_cases():
    c = [Case("clip_relu6_opset11", 11, [2, 3, 4, 4], [node("Clip", ["x", "lo", "hi"], ["y"])], [init("lo", np.float32(0)), init("hi", np.float32(6))], low=-8, high=8),
         Case("clip_attrs_opset9", 9, [2, 3, 4, 4], [node("Clip", ["x"], ["y"], min=-1.0, max=0.5)]),
         Case("clip_min_only_opset13", 13, [2, 3, 4, 4], [node("Clip", ["x", "lo"], ["y"])], [init("lo", np.float32(0))]),
         Case("clip_general_opset13", 13, [2, 3, 4, 4], [node("Clip", ["x", "lo", "hi"], ["y"])], [init("lo", np.float32(-0.5)), init("hi", np.float32(1.5))]),
         Case("leaky_relu", 13, [2, 3, 4, 4], [node("LeakyRelu", ["x"], ["y"], alpha=0.1)]),
         Case("sigmoid", 13, [2, 3, 4, 4], [node("Sigmoid", ["x"], ["y"])], low=-6, high=6),
         Case("tanh", 13, [2, 3, 4, 4], [node("Tanh", ["x"], ["y"])]),
         Case("hard_sigmoid", 13, [2, 3, 4, 4], [node("HardSigmoid", ["x"], ["y"], alpha=0.25, beta=0.4)], low=-5, high=5),
         Case("hard_swish", 14, [2, 3, 4, 4], [node("HardSwish", ["x"], ["y"])], low=-5, high=5)]
    return c


def arithmetic_cases():
    c = []
    for op in ["Add", "Sub", "Mul", "Div"]:
        c.append(Case(f"{op.lower()}_channel_constant", 13, [2, 3, 4, 4], [node(op, ["x", "k"], ["y"])], [init("k", np.abs(w(3, 1, 1)) + 0.5)]))
        c.append(Case(f"{op.lower()}_two_tensors", 13, [2, 3, 4, 4],
                      [node("Relu", ["x"], ["r"]), node("Sigmoid", ["x"], ["s"]), node(op, ["r", "s"], ["y"])]))
    c.append(Case("sub_constant_first", 13, [2, 3, 4, 4], [node("Sub", ["k", "x"], ["y"])], [init("k", w(3, 1, 1))]))
    c.append(Case("mul_scalar_first", 13, [2, 3, 4, 4], [node("Mul", ["k", "x"], ["y"])], [init("k", np.float32(1.5))]))
    c.append(Case("add_constant_node", 13, [2, 3, 4, 4],
                  [helper.make_node("Constant", [], ["k"], name="k", value=numpy_helper.from_array(w(4), "k")), node("Add", ["x", "k"], ["y"])]))
    return c


def dense_cases():
    return [
        Case("flatten_gemm_transb", 13, [2, 3, 4, 4], [node("Flatten", ["x"], ["f"], axis=1), node("Gemm", ["f", "w", "b"], ["y"], transB=1, alpha=0.5, beta=2.0)],
             [init("w", w(5, 48)), init("b", w(5))]),
        Case("gemm_no_bias", 11, [2, 6], [node("Gemm", ["x", "w"], ["y"])], [init("w", w(6, 4))]),
        Case("matmul_rank3", 13, [2, 4, 6], [node("MatMul", ["x", "w"], ["y"])], [init("w", w(6, 5))]),
        Case("reshape_constant", 13, [2, 3, 4, 4], [node("Reshape", ["x", "s"], ["y"])], [init("s", np.array([-1, 12, 4], np.int64))]),
        Case("reshape_shape_subgraph", 13, [2, 3, 4, 4],
             [node("Shape", ["x"], ["shape"]), node("Gather", ["shape", "zero"], ["n"], axis=0), node("Unsqueeze", ["n", "axes"], ["n1"]),
              node("Concat", ["n1", "minus1"], ["target"], axis=0), node("Reshape", ["x", "target"], ["y"])],
             [init("zero", np.array(0, np.int64)), init("axes", np.array([0], np.int64)), init("minus1", np.array([-1], np.int64))]),
        Case("reshape_shape_subgraph_opset9", 9, [2, 3, 4, 4],
             [node("Shape", ["x"], ["shape"]), node("Gather", ["shape", "zero"], ["n"], axis=0), node("Unsqueeze", ["n"], ["n1"], axes=[0]),
              node("Concat", ["n1", "minus1"], ["target"], axis=0), node("Reshape", ["x", "target"], ["y"])],
             [init("zero", np.array(0, np.int64)), init("minus1", np.array([-1], np.int64))]),
        Case("squeeze_unsqueeze_opset11", 11, [2, 3, 1, 1], [node("Squeeze", ["x"], ["s"], axes=[2, 3]), node("Unsqueeze", ["s"], ["y"], axes=[1])]),
        Case("squeeze_unsqueeze_opset13", 13, [2, 3, 1, 4],
             [node("Squeeze", ["x", "a"], ["s"]), node("Unsqueeze", ["s", "b"], ["y"], )], [init("a", np.array([2], np.int64)), init("b", np.array([-1], np.int64))]),
        Case("slice_channels_opset13", 13, [2, 6, 4, 5], [node("Slice", ["x", "st", "en", "ax"], ["y"])],
             [init("st", np.array([1, -3], np.int64)), init("en", np.array([4, 2**63 - 1], np.int64)), init("ax", np.array([1, 3], np.int64))]),
        Case("slice_attrs_opset9", 9, [2, 6, 4, 5], [node("Slice", ["x"], ["y"], starts=[0, 2], ends=[2**31 - 1, 3], axes=[0, 2])]),
        Case("flatten_axis2", 13, [2, 3, 4, 4], [node("Flatten", ["x"], ["y"], axis=2)]),
        Case("transpose", 13, [2, 3, 4, 5], [node("Transpose", ["x"], ["y"], perm=[0, 2, 3, 1])]),
    ]


def pool_cases():
    return [
        Case("max_pool_pads", 13, [2, 3, 9, 9], [node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])]),
        Case("max_pool_same_upper", 11, [2, 3, 9, 9], [node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2], auto_pad="SAME_UPPER")]),
        Case("avg_pool_exclusive", 13, [2, 3, 9, 9], [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])]),
        Case("avg_pool_inclusive", 13, [2, 3, 9, 9], [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)]),
        Case("avg_pool_ceil_exact", 13, [2, 3, 9, 9], [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)]),
        Case("global_avg_pool", 13, [2, 3, 5, 7], [node("GlobalAveragePool", ["x"], ["y"])]),
        Case("global_max_pool", 13, [2, 3, 5, 7], [node("GlobalMaxPool", ["x"], ["y"])]),
    ]


def misc_cases():
    return [
        Case("softmax_opset11_2d", 11, [3, 10], [node("Softmax", ["x"], ["y"])], low=-4, high=4),
        Case("softmax_opset11_4d_flattened", 11, [2, 3, 2, 2], [node("Softmax", ["x"], ["y"], axis=1)], low=-4, high=4),
        Case("softmax_opset13_axis1", 13, [2, 3, 2, 2], [node("Softmax", ["x"], ["y"], axis=1)], low=-4, high=4),
        Case("concat_three", 13, [2, 3, 4, 4], [node("Relu", ["x"], ["r"]), node("Sigmoid", ["x"], ["s"]), node("Concat", ["x", "r", "s"], ["y"], axis=-3)]),
        Case("identity_dropout", 13, [2, 3, 4, 4], [node("Relu", ["x"], ["r"]), node("Dropout", ["r"], ["d"]), node("Identity", ["d"], ["y"])]),
        Case("dropout_opset9", 9, [2, 3, 4, 4], [node("Dropout", ["x"], ["d"], ratio=0.3), node("Relu", ["d"], ["y"])]),
        Case("reduce_mean_axes_attr", 13, [2, 3, 4, 5], [node("ReduceMean", ["x"], ["y"], axes=[2, 3])]),
        Case("reduce_mean_axes_input_opset18", 18, [2, 3, 4, 5], [node("ReduceMean", ["x", "axes"], ["y"], keepdims=0)], [init("axes", np.array([-1], np.int64))]),
        Case("two_outputs", 13, [2, 3, 4, 4], [node("Relu", ["x"], ["y"]), node("Sigmoid", ["y"], ["z"])], outputs=("y", "z")),
    ]


def resize_cases():
    empty = init("roi", np.zeros(0, np.float32))
    def scales(*v):
        return init("scales", np.array(v, np.float32))
    def sizes(*v):
        return init("sizes", np.array(v, np.int64))
    c = [
        Case("upsample_nearest_opset9", 9, [2, 3, 4, 5], [node("Upsample", ["x", "scales"], ["y"], mode="nearest")], [scales(1, 1, 2, 3)]),
        Case("resize_nearest_opset10", 10, [2, 3, 4, 5], [node("Resize", ["x", "scales"], ["y"], mode="nearest")], [scales(1, 1, 2, 2)]),
        Case("resize_nearest_asymmetric_floor", 11, [2, 3, 4, 5],
             [node("Resize", ["x", "roi", "scales"], ["y"], mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")],
             [empty, scales(1, 1, 2, 2)]),
        Case("resize_nearest_half_pixel_x3", 13, [2, 3, 4, 5], [node("Resize", ["x", "", "scales"], ["y"], mode="nearest")], [scales(1, 1, 3, 3)]),
        Case("resize_nearest_sizes_opset13", 13, [2, 3, 4, 5],
             [node("Resize", ["x", "", "", "sizes"], ["y"], mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")],
             [sizes(2, 3, 8, 15)]),
        Case("resize_linear_half_pixel", 13, [2, 3, 4, 5], [node("Resize", ["x", "", "scales"], ["y"], mode="linear")], [scales(1, 1, 2, 2)]),
        Case("resize_linear_pytorch_half_pixel_down", 13, [2, 3, 8, 10],
             [node("Resize", ["x", "", "", "sizes"], ["y"], mode="linear", coordinate_transformation_mode="pytorch_half_pixel")], [sizes(2, 3, 4, 5)]),
        Case("resize_linear_align_corners", 11, [2, 3, 4, 5],
             [node("Resize", ["x", "roi", "scales"], ["y"], mode="linear", coordinate_transformation_mode="align_corners")], [empty, scales(1, 1, 2, 3)]),
        Case("resize_linear_asymmetric_opset19", 19, [2, 3, 4, 5],
             [node("Resize", ["x", "", "scales"], ["y"], mode="linear", coordinate_transformation_mode="asymmetric")], [scales(1, 1, 2, 2)]),
    ]
    return c


def conv_transpose_cases():
    return [
        Case("conv_transpose_k2s2", 12, [2, 4, 5, 6], [node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[2, 2], strides=[2, 2])], [init("w", w(4, 3, 2, 2))]),
        Case("conv_transpose_pads_outpad_bias", 13, [2, 4, 5, 6],
             [node("ConvTranspose", ["x", "w", "b"], ["y"], strides=[2, 2], pads=[1, 0, 1, 1], output_padding=[1, 0])], [init("w", w(4, 3, 3, 3)), init("b", w(3))]),
        Case("conv_transpose_group_dilated", 13, [2, 4, 5, 6],
             [node("ConvTranspose", ["x", "w"], ["y"], group=2, dilations=[2, 1], pads=[1, 1, 1, 1])], [init("w", w(4, 3, 3, 3))]),
        Case("conv_transpose_output_shape", 13, [2, 4, 5, 6],
             [node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2], output_shape=[10, 12])], [init("w", w(4, 2, 3, 3))]),
        Case("conv_transpose_same_upper", 13, [2, 4, 5, 6],
             [node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2], auto_pad="SAME_UPPER")], [init("w", w(4, 2, 3, 3))]),
    ]


def pad_prelu_cases():
    return [
        Case("pad_constant_opset9", 9, [2, 3, 4, 5], [node("Pad", ["x"], ["y"], pads=[0, 0, 1, 2, 0, 0, 2, 0], value=1.5)]),
        Case("pad_reflect_opset13", 13, [2, 3, 4, 5], [node("Pad", ["x", "pads"], ["y"], mode="reflect")], [init("pads", np.array([0, 0, 2, 1, 0, 0, 3, 3], np.int64))]),
        Case("pad_edge_value_opset11", 11, [2, 3, 4, 5], [node("Pad", ["x", "pads"], ["y"], mode="edge")], [init("pads", np.array([0, 0, 1, 1, 0, 0, 1, 4], np.int64))]),
        Case("pad_constant_value_axes_opset18", 18, [2, 3, 4, 5], [node("Pad", ["x", "pads", "v", "axes"], ["y"])],
             [init("pads", np.array([1, 2, 3, 0], np.int64)), init("v", np.array(-0.5, np.float32)), init("axes", np.array([2, 3], np.int64))]),
        Case("prelu_channel", 13, [2, 3, 4, 5], [node("PRelu", ["x", "s"], ["y"])], [init("s", w(3, 1, 1))]),
        Case("prelu_all_opset9", 9, [2, 3, 4, 5], [node("PRelu", ["x", "s"], ["y"])], [init("s", w(1))]),
        Case("prelu_element", 16, [2, 3, 4, 5], [node("PRelu", ["x", "s"], ["y"])], [init("s", w(3, 4, 5))]),
    ]


def opset_cases():
    """One small classifier (conv, batch norm, relu, pools, flatten, gemm, softmax) per opset the other cases leave out."""
    c = []
    for opset in [12, 15, 16, 20, 21]:
        c.append(Case(f"classifier_opset{opset}", opset, [2, 3, 8, 8],
                      [node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
                       node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["bn"]), node("Relu", ["bn"], ["r"]),
                       node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]), node("GlobalAveragePool", ["p"], ["g"]),
                       node("Flatten", ["g"], ["f"]), node("Gemm", ["f", "fw", "fb"], ["l"], transB=1), node("Softmax", ["l"], ["y"])],
                      [init("w", w(4, 3, 3, 3)), init("b", w(4)), init("s", w(4) + 1), init("bb", w(4)), init("m", w(4)),
                       init("v", np.abs(w(4)) + 0.5), init("fw", w(5, 4)), init("fb", w(5))]))
    return c


def all_cases():
    return (conv_cases() + activation_cases() + arithmetic_cases() + dense_cases() + pool_cases() + misc_cases()
            + resize_cases() + conv_transpose_cases() + pad_prelu_cases() + opset_cases())


def write(case, out):
    model = case.model()
    onnx.save(model, os.path.join(out, f"{case.name}.onnx"))
    x = RNG.uniform(case.low, case.high, case.shape).astype(np.float32)
    x.tofile(os.path.join(out, f"{case.name}.input.f32"))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    ys = session.run(None, {"x": x})
    for k, y in enumerate(ys):
        np.asarray(y, np.float32).tofile(os.path.join(out, f"{case.name}.out{k}.f32"))
    return {"name": case.name, "opset": case.opset, "input_shape": case.shape, "outputs": [list(y.shape) for y in ys],
            "output_names": case.outputs}


def recheck(cases_dir, models_dir):
    errors = {}
    for case in json.load(open(os.path.join(cases_dir, "cases.json"))):
        path = os.path.join(models_dir, case["name"] + ".onnx")
        if not os.path.exists(path):
            continue
        x = np.fromfile(os.path.join(cases_dir, case["name"] + ".input.f32"), "<f4").reshape(case["input_shape"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        ys = session.run(None, {session.get_inputs()[0].name: x})
        worst = 0.0
        for k, y in enumerate(ys):
            want = np.fromfile(os.path.join(cases_dir, f"{case['name']}.out{k}.f32"), "<f4")
            if want.size != y.size:
                worst = float("inf")
                continue
            worst = max(worst, float(np.abs(y.reshape(-1) - want).max() / max(np.abs(want).max(), 1e-12)))
        errors[case["name"]] = worst
    print(json.dumps(errors))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--recheck")
    parser.add_argument("--models")
    args = parser.parse_args()
    if args.recheck:
        return recheck(args.recheck, args.models)
    os.makedirs(args.out, exist_ok=True)
    cases = [c for c in all_cases() if not args.only or c.name in args.only]
    manifest = [write(c, args.out) for c in cases]
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps({"cases": len(manifest)}))


if __name__ == "__main__":
    main()
