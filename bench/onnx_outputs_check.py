"""Runs an ONNX file in ONNX Runtime on one raw input and compares every graph output with slim's.

    onnx_outputs_check.py --model M.onnx --input image.f32 --shape N,C,H,W --expected out0.f32 [out1.f32 ...]
                          [--atol A] [--rtol R] [--reference]

The .f32 files are little-endian float32, row-major; the expected files are the graph outputs in
order. Prints one JSON object {"outputs": [{"name", "shape", "max_abs_diff", "max_abs"}], "ops": [...]}
and exits 1 when some output differs by more than atol + rtol * |expected| (or has another size).
--reference runs the file with graph optimizations off (bench/ort_session.py: a QDQ model's own
arithmetic, not ORT's integer kernels, which saturate on hosts without VNNI).
"""
import argparse
import json
import sys

import numpy as np

from ort_session import session as ort_session


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--shape", required=True)
    parser.add_argument("--expected", nargs="+", required=True)
    parser.add_argument("--atol", type=float, default=1e-4)
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--reference", action="store_true", help="graph optimizations off (a QDQ file's own arithmetic)")
    args = parser.parse_args()
    shape = tuple(int(d) for d in args.shape.split(","))
    image = np.fromfile(args.input, dtype="<f4").reshape(shape)
    session = ort_session(args.model, optimized=not args.reference)
    outputs = session.run(None, {session.get_inputs()[0].name: image})
    import onnx
    ops = sorted({node.op_type for node in onnx.load(args.model).graph.node})
    report, ok = [], len(outputs) == len(args.expected)
    for meta, got, path in zip(session.get_outputs(), outputs, args.expected):
        want = np.fromfile(path, dtype="<f4")
        entry = {"name": meta.name, "shape": list(got.shape)}
        if got.size != want.size:
            ok = False
            entry["error"] = f"{got.size} values, expected {want.size}"
        else:
            want = want.reshape(got.shape)
            diff = np.abs(got - want)
            entry.update(max_abs_diff=float(diff.max()), max_abs=float(np.abs(want).max()))
            ok = ok and bool(np.all(diff <= args.atol + args.rtol * np.abs(want)))
        report.append(entry)
    print(json.dumps({"outputs": report, "ops": ops, "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
