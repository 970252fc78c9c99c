#!/usr/bin/env python3
"""Runs an ONNX model exported by `slim export` in ONNX Runtime on the Fashion-MNIST test set and
compares its top-1 predictions with slim's own (`slim eval --output_predictions FILE`).

    bench/.venv/bin/python bench/onnx_check.py --model m.onnx --predictions preds.jsonl \
        [--data /usr/share/datasets/fashion-mnist] [--size 32] [--mean 0.2860 --std 0.3530] [--limit N] \
        [--batch 256] [--min-agreement 0.999] [--json]

The IDX .gz files are read directly with numpy and normalized as the model YAML does:
x = (pixel / 255 - mean) / std, NCHW float32, after a bilinear resize to --size (the YAML's
!Resize, e.g. 32 for examples/mobilenetv1_fashion_mnist). The first --limit images are used (slim's
`num_samples` takes the same prefix). Feed batches of --batch images, as slim's eval reader does
(this matters only for abs_max activation quantizers, whose scale is per batch).
Exit status: 0 when agreement >= --min-agreement, 1 below it, 2 on bad input.
"""
import argparse
import gzip
import json
import struct
import sys

import numpy as np


def read_idx(path):
    """An IDX file (optionally gzipped) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def bilinear(x, size):
    """Resizes N x H x W images to size x size as slim's `Resize` does (half-pixel centres, clamped taps)."""
    def taps(out, n):
        s = np.clip((np.arange(out) + 0.5) * (n / out) - 0.5, 0, n - 1)
        i0 = np.floor(s).astype(np.int64)
        return i0, np.minimum(i0 + 1, n - 1), (s - i0).astype(np.float32)
    y0, y1, fy = taps(size, x.shape[1])
    x0, x1, fx = taps(size, x.shape[2])
    top = x[:, y0][:, :, x0] * (1 - fx) + x[:, y0][:, :, x1] * fx
    bottom = x[:, y1][:, :, x0] * (1 - fx) + x[:, y1][:, :, x1] * fx
    return (top * (1 - fy)[:, None] + bottom * fy[:, None]).astype(np.float32)


def load_test_set(directory, mean, std, limit, size=None):
    images = read_idx(f"{directory}/t10k-images-idx3-ubyte.gz")
    labels = read_idx(f"{directory}/t10k-labels-idx1-ubyte.gz")
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    x = images.astype(np.float32) / np.float32(255)
    if size is not None and size != x.shape[1]:
        x = bilinear(x, size)
    x = (x - np.float32(mean)) / np.float32(std)
    return x[:, None, :, :].astype(np.float32), labels.astype(np.int64)


def load_predictions(path):
    """slim's per-image argmax: JSON lines {"index": i, "label": y, "prediction": k}."""
    preds = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                preds[int(row["index"])] = int(row["prediction"])
    return np.array([preds[i] for i in range(len(preds))], dtype=np.int64)


def run_onnx(model, x, batch):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    out = [session.run(None, {name: x[i:i + batch]})[0] for i in range(0, len(x), batch)]
    return np.concatenate(out).argmax(axis=1), session


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="the exported .onnx file")
    p.add_argument("--predictions", required=True, help="slim eval --output_predictions FILE")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--size", type=int, help="resize to SIZE x SIZE first, bilinear as the YAML's !Resize (e.g. 32 for MobileNetV1)")
    p.add_argument("--mean", type=float, default=0.2860)
    p.add_argument("--std", type=float, default=0.3530)
    p.add_argument("--limit", type=int, default=None, help="first N test images (default: all)")
    p.add_argument("--batch", type=int, default=256, help="images per ONNX Runtime run (the eval reader's batch_size)")
    p.add_argument("--min-agreement", type=float, default=0.999)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = p.parse_args()

    try:
        import onnx
        onnx.checker.check_model(onnx.load(args.model))
        slim = load_predictions(args.predictions)
        x, labels = load_test_set(args.data, args.mean, args.std, args.limit, args.size)
    except Exception as e:  # a bad file is a clear message, not a traceback
        print(f"onnx_check: {e}", file=sys.stderr)
        return 2
    if len(slim) != len(x):
        print(f"onnx_check: {len(slim)} slim predictions for {len(x)} test images (pass --limit {len(slim)}?)", file=sys.stderr)
        return 2
    ort_pred, session = run_onnx(args.model, x, args.batch)
    agreement = float((ort_pred == slim).mean())
    result = {
        "model": args.model,
        "images": len(x),
        "agreement": agreement,
        "disagreements": int((ort_pred != slim).sum()),
        "onnxruntime_top1": float((ort_pred == labels).mean()),
        "slim_top1": float((slim == labels).mean()),
        "ops": sorted({n.op_type for n in onnx.load(args.model).graph.node}),
        "passed": agreement >= args.min_agreement,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.model}: {len(x)} images, top-1 agreement {agreement:.4%} ({result['disagreements']} differ), "
              f"ONNX Runtime top-1 {result['onnxruntime_top1']:.4f}, slim top-1 {result['slim_top1']:.4f} "
              f"[{'ok' if result['passed'] else 'BELOW ' + str(args.min_agreement)}]")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
