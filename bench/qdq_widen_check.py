"""What widening asymmetric activation zero points costs, measured in ONNX Runtime itself.

slim imports a QDQ model's activations symmetrically: a uint8 zero point other than 128 (or an
int8 one other than 0) becomes the symmetric scale that covers the same range (uint8 zero point 0
stays uint8 from 0). This script applies exactly that widening to the QDQ file's QuantizeLinear
scales and zero points, runs the original and the widened file in ONNX Runtime on the text-line
crops of bench/ppocr_cls_data.py, and prints the top-1 agreement of the widened model with the
original INT8 model and with the FP32 model: the cost of the lost bit, without slim involved.

    python bench/qdq_widen_check.py --int8 cls_ort_int8.onnx --fp32 ch_ppocr_mobile_v2.0_cls_infer.onnx --data DIR
"""
import argparse

import numpy as np
import onnx
from onnx import numpy_helper

from ppocr_cls_ptq import load_set, predict, session


def widened(path, out):
    model = onnx.load(path)
    inits = {t.name: t for t in model.graph.initializer}
    done = set()
    for node in model.graph.node:
        if node.op_type != "QuantizeLinear" or node.input[1] in done or len(node.input) < 3:
            continue
        scale = float(numpy_helper.to_array(inits[node.input[1]]))
        zero = numpy_helper.to_array(inits[node.input[2]])
        if zero.dtype == np.uint8 and int(zero) == 128 or zero.dtype == np.int8 and int(zero) == 0:
            continue
        z = int(zero)
        levels = max(z, 255 - z) if zero.dtype == np.uint8 else max(128 + z, 127 - z)
        inits[node.input[1]].CopyFrom(numpy_helper.from_array(np.array(scale * levels / 127, np.float32), node.input[1]))
        new_zero = np.array(0, np.uint8 if zero.dtype == np.uint8 and z == 0 else np.int8)
        inits[node.input[2]].CopyFrom(numpy_helper.from_array(new_zero, node.input[2]))
        done.add(node.input[1])
    onnx.save(model, out)
    return len(done)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--int8", required=True)
    parser.add_argument("--fp32", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", default="widened.onnx")
    args = parser.parse_args()
    n = widened(args.int8, args.out)
    images, labels = load_set(args.data)
    int8, wide, fp32 = (predict(session(p, 2), images) for p in (args.int8, args.out, args.fp32))
    print(f"{n} activation scales widened; widened vs INT8 {100 * (int8 == wide).mean():.2f}%, "
          f"widened vs FP32 {100 * (fp32 == wide).mean():.2f}%, widened top-1 {100 * (wide == labels).mean():.2f}%")


if __name__ == "__main__":
    main()
