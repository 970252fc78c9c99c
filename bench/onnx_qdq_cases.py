"""Writes tiny INT8 QDQ ONNX models as ONNX Runtime's quantize_static makes them (uint8 activations
with their zero points, per-channel int8 weights, MinMax calibration on random data), a random input
and ONNX Runtime's outputs of the INT8 model, for Tests/SlimCLITests/ONNXImportQDQEndToEndTests.swift.

    onnx_qdq_cases.py --out DIR

For each case NAME: DIR/NAME.onnx (the QDQ model), DIR/NAME.input.f32 and DIR/NAME.out0.f32
(little-endian float32), and DIR/cases.json: [{"name", "input_shape", "output_shape", "output_step",
"fused_equal", "fused_max_steps", "host_vnni"}], the output step being the scale of the graph output's
last DequantizeLinear (one uint8 level).

out0 is ORT's reference run of the QDQ file (bench/ort_session.py: graph optimizations off, the
arithmetic the file defines, on every host). fused_equal and fused_max_steps say how far ORT's
optimized run (its integer kernels) is from it on this host: equal on VNNI hosts up to float
rounding, off by many steps where ORT's u8 x s8 kernels saturate (hosts without VNNI).
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

from ort_session import host_has_vnni, reference_session, session

from onnx_import_cases import init, node  # the same graph-building helpers

RNG = np.random.default_rng(11)


def w(*shape, scale=0.5):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def cases():
    """(name, input shape, nodes, initializers, input low, input high): float models ORT then quantizes."""
    return [
        # a padded strided 3x3 convolution on an asymmetric input (zero point far from 128), its
        # ReLU dropped by ORT (uint8 zero point 0), then a 1x1 convolution whose output is signed
        ("qdq_conv_pads_relu_conv1x1", [2, 3, 9, 9],
         [node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], strides=[2, 2]), node("Relu", ["c1"], ["r1"]),
          node("Conv", ["r1", "w2", "b2"], ["y"])],
         [init("w1", w(8, 3, 3, 3)), init("b1", w(8)), init("w2", w(6, 8, 1, 1)), init("b2", w(6))], -1.0, 3.0),
        # depthwise 3x3 with asymmetric padding on a signed asymmetric activation, then a pointwise
        ("qdq_depthwise_pointwise", [2, 4, 8, 8],
         [node("Conv", ["x", "w1", "b1"], ["c1"], group=4, pads=[1, 0, 2, 1]), node("Conv", ["c1", "w2", "b2"], ["y"])],
         [init("w1", w(4, 1, 3, 3)), init("b1", w(4) + 0.5), init("w2", w(5, 4, 1, 1)), init("b2", w(5))], -0.5, 2.5),
        # a product: Flatten -> MatMul -> Add (per-channel weights on axis 1)
        ("qdq_matmul", [2, 2, 3, 2],
         [node("Flatten", ["x"], ["f"]), node("MatMul", ["f", "m"], ["p"]), node("Add", ["p", "mb"], ["y"])],
         [init("m", w(12, 5)), init("mb", w(5))], -0.2, 1.8),
    ]


class Calibration:
    def __init__(self, shape, low, high):
        self.batches = iter([{"x": RNG.uniform(low, high, shape).astype(np.float32)} for _ in range(4)])

    def get_next(self):
        return next(self.batches, None)

    def rewind(self):
        pass


def write(name, shape, nodes, inits, low, high, out):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    model = helper.make_model(helper.make_graph(nodes, name, [x], [y], initializer=inits),
                              opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    float_path, path = os.path.join(out, f"{name}.float.onnx"), os.path.join(out, f"{name}.onnx")
    onnx.save(model, float_path)
    quantize_static(float_path, path, Calibration(shape, low, high), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)
    quantized = onnx.load(path)
    inits_q = {t.name: t for t in quantized.graph.initializer}
    last = next(n for n in quantized.graph.node if n.op_type == "DequantizeLinear" and n.output[0] == "y")
    step = float(numpy_helper.to_array(inits_q[last.input[1]]))
    xs = RNG.uniform(low, high, shape).astype(np.float32)
    xs.tofile(os.path.join(out, f"{name}.input.f32"))
    ys = reference_session(path).run(None, {"x": xs})[0]
    np.asarray(ys, np.float32).tofile(os.path.join(out, f"{name}.out0.f32"))
    steps = np.abs(session(path).run(None, {"x": xs})[0] - ys) / step
    return {"name": name, "input_shape": shape, "output_shape": list(ys.shape), "output_step": step,
            "fused_equal": float((steps < 0.01).mean()), "fused_max_steps": float(steps.max()), "host_vnni": host_has_vnni()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = [write(*case, args.out) for case in cases()]
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps({"cases": len(manifest)}))


if __name__ == "__main__":
    main()
