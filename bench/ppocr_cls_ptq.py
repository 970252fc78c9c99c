"""slim's post-training INT8 of PP-OCR's direction classifier against ONNX Runtime's quantize_static.

Given the text-line data set of bench/ppocr_cls_data.py (OUT/0, OUT/180), the classifier's ONNX file
and slim's per-sample predictions (`slim eval --output_predictions`, one JSON line per sample in
the data set's order: class folders sorted, files sorted), this script
  1. quantizes the ONNX file with ONNX Runtime's quantize_static (QDQ, per-channel s8 weights, u8
     activations, MinMax) on the same calibration images slim used (every crop of the set),
  2. runs ORT FP32 and ORT INT8 on every crop (PP-OCR's preprocessing: RGB / 255, (x - 0.5) / 0.5),
     the INT8 file twice: "ORT INT8" as users run it (its integer kernels) and "ORT INT8 reference"
     (graph optimizations off: the QDQ file's own arithmetic, bench/ort_session.py; the two differ
     on hosts without VNNI, where ORT's u8 x s8 kernels saturate),
  3. prints the top-1 of each against the labels and the top-1 agreement of every pair; slim's INT8
     models are compared with both ORT INT8 runs,
  4. with --slim-ort-int8 (slim's predictions running ORT's INT8 file, `slim import` of
     WORK/cls_ort_int8.onnx), adds its top-1 and agreements ("slim ORT-INT8 vs ORT INT8", ...);
     --reuse-int8 keeps an existing WORK/cls_ort_int8.onnx instead of quantizing again,
  5. with --slim-int8-asym (slim calibrate --activation_mode asymmetric --algo abs_max, ONNX Runtime's
     own MinMax on uint8), adds "slim INT8 asym" to the top-1 and agreements,
  6. with --ort-variants, quantizes the file again with other quantize_static options (per-tensor
     weights; symmetric int8 activations; Percentile calibration) and reports how often each of
     those ORT INT8 models agrees with the default one (reference runs of both): how far two INT8 quantizations of this
     classifier agree when they round at the same points but pick other grids,
  7. with --slim, times ORT FP32 / INT8 at batch 1 (latency) and 64 (throughput) next to
     `slim bench --model DIR --mode infer` of slim's float and int8 directories, same threads.

    python bench/ppocr_cls_ptq.py --onnx M.onnx --data DIR --slim-fp32 fp32.jsonl --slim-int8 int8.jsonl \
        [--slim SLIM --slim-float-dir D --slim-int8-dir D --threads 2]
Prints a JSON object (the numbers) and a Markdown table.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from ort_session import host_has_vnni, reference_session, session
from peer_measure import median_ms


def load_set(root):
    images, labels = [], []
    for label, name in enumerate(sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))):
        folder = os.path.join(root, name)
        for file in sorted(os.listdir(folder)):
            if file.lower().endswith((".png", ".jpg", ".jpeg")):
                x = np.asarray(Image.open(os.path.join(folder, file)).convert("RGB").resize((192, 48), Image.BILINEAR),
                               dtype=np.float32) / 255.0
                images.append(((x - 0.5) / 0.5).transpose(2, 0, 1))
                labels.append(label)
    return np.stack(images).astype(np.float32), np.array(labels)


def predict(sess, images, batch=64):
    name = sess.get_inputs()[0].name
    out = [sess.run(None, {name: images[i:i + batch]})[0] for i in range(0, len(images), batch)]
    return np.concatenate(out).argmax(axis=1)


class Calibration:
    def __init__(self, images, name, batch=101):
        self.batches = iter([{name: images[i:i + batch]} for i in range(0, len(images), batch)])

    def get_next(self):
        return next(self.batches, None)

    def rewind(self):
        pass


def quantize(onnx_path, out_path, images, **options):
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    import onnx
    from onnx import version_converter
    model = onnx.load(onnx_path)
    if max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) < 13:
        # per-channel DequantizeLinear (its axis) needs opset 13: the opset-11 Paddle2ONNX file is converted first
        onnx_path = out_path.replace(".onnx", "_opset13.onnx")
        onnx.save(version_converter.convert_version(model, 13), onnx_path)
    pre = out_path.replace(".onnx", "_pre.onnx")
    try:
        quant_pre_process(onnx_path, pre)
    except Exception:   # symbolic shape inference fails on some Paddle2ONNX graphs: ONNX's own inference then
        quant_pre_process(onnx_path, pre, skip_symbolic_shape=True)
    name = session(pre).get_inputs()[0].name
    settings = dict(quant_format=QuantFormat.QDQ, per_channel=True, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)
    settings.update({k: (getattr(QuantType, v) if k.endswith("_type") else getattr(CalibrationMethod, v) if k == "calibrate_method" else v)
                     for k, v in options.items()})
    quantize_static(pre, out_path, Calibration(images, name), **settings)


# quantize_static options of --ort-variants (enum values by name).
ORT_VARIANTS = {
    "ORT INT8 per-tensor weights": dict(per_channel=False),
    "ORT INT8 symmetric int8 activations": dict(activation_type="QInt8", extra_options={"ActivationSymmetric": True}),
    "ORT INT8 Percentile": dict(calibrate_method="Percentile"),
}


def slim_predictions(path):
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return np.array([r["prediction"] for r in sorted(rows, key=lambda r: r["index"])])


def ort_speed(path, images, batch, threads):
    sess = session(path, threads)
    feed = {sess.get_inputs()[0].name: np.ascontiguousarray(images[:batch])}
    steps, warmup = (200, 20) if batch == 1 else (20, 3)
    return median_ms(lambda: sess.run(None, feed), steps, warmup)


def slim_speed(slim, directory, batch, threads):
    steps, warmup = (200, 20) if batch == 1 else (20, 3)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    out = subprocess.run([slim, "bench", "--model", directory, "--mode", "infer", "--batch", str(batch),
                          "--threads", str(threads), "--steps", str(steps), "--warmup", str(warmup), "--json"],
                         capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["median_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onnx", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--slim-fp32", required=True, help="slim eval --output_predictions of the imported model")
    parser.add_argument("--slim-int8", required=True, help="... of slim calibrate's int8 directory")
    parser.add_argument("--work", default=".", help="where the ORT INT8 file is written")
    parser.add_argument("--slim-ort-int8", help="slim eval --output_predictions of slim import of WORK/cls_ort_int8.onnx")
    parser.add_argument("--reuse-int8", action="store_true", help="keep an existing WORK/cls_ort_int8.onnx")
    parser.add_argument("--slim-int8-asym", help="slim eval --output_predictions of slim calibrate --activation_mode asymmetric")
    parser.add_argument("--ort-variants", action="store_true", help="agreement of other ORT INT8 quantizations with the default one")
    parser.add_argument("--slim", help="the slim binary, to time slim bench next to ORT")
    parser.add_argument("--slim-float-dir")
    parser.add_argument("--slim-int8-dir")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    images, labels = load_set(args.data)
    int8_path = os.path.join(args.work, "cls_ort_int8.onnx")
    if not (args.reuse_int8 and os.path.exists(int8_path)):
        quantize(args.onnx, int8_path, images)
    reference = "ORT INT8 reference"
    preds = {"ORT FP32": predict(session(args.onnx, args.threads), images),
             "ORT INT8": predict(session(int8_path, args.threads), images),
             reference: predict(reference_session(int8_path, args.threads), images),
             "slim FP32": slim_predictions(args.slim_fp32), "slim INT8": slim_predictions(args.slim_int8)}
    pairs = [("slim INT8", reference), ("slim INT8", "ORT INT8"), ("slim INT8", "ORT FP32"), ("ORT INT8", reference),
             ("ORT INT8", "ORT FP32"), ("slim FP32", "ORT FP32")]
    if args.slim_ort_int8:
        preds["slim ORT-INT8"] = slim_predictions(args.slim_ort_int8)
        pairs += [("slim ORT-INT8", reference), ("slim ORT-INT8", "ORT INT8"), ("slim ORT-INT8", "ORT FP32")]
    if args.slim_int8_asym:
        preds["slim INT8 asym"] = slim_predictions(args.slim_int8_asym)
        pairs += [("slim INT8 asym", reference), ("slim INT8 asym", "ORT INT8"), ("slim INT8 asym", "ORT FP32")]
    if args.ort_variants:
        for k, (name, options) in enumerate(ORT_VARIANTS.items()):
            path = os.path.join(args.work, f"cls_ort_variant{k}.onnx")
            quantize(args.onnx, path, images, **options)
            preds[name] = predict(reference_session(path, args.threads), images)
            pairs += [(name, reference), (name, "ORT FP32")]
    for name, p in preds.items():
        if len(p) != len(labels):
            sys.exit(f"{name}: {len(p)} predictions for {len(labels)} samples")
    result = {"samples": len(labels), "host_vnni": host_has_vnni(),
              "top1": {k: float((p == labels).mean()) for k, p in preds.items()},
              "agreement": {f"{a} vs {b}": float((preds[a] == preds[b]).mean())
                            for a, b in pairs}}
    if args.slim:
        speed = {}
        for batch in (1, 64):
            speed[f"ORT FP32 b{batch} ms"] = ort_speed(args.onnx, images, batch, args.threads)
            speed[f"ORT INT8 b{batch} ms"] = ort_speed(int8_path, images, batch, args.threads)
            speed[f"slim FP32 b{batch} ms"] = slim_speed(args.slim, args.slim_float_dir, batch, args.threads)
            speed[f"slim INT8 b{batch} ms"] = slim_speed(args.slim, args.slim_int8_dir, batch, args.threads)
        result["speed"] = speed
    print(json.dumps(result))
    print(f"\n| {len(labels)} text lines | top-1 vs labels |")
    print("|---|---|")
    for k, v in result["top1"].items():
        print(f"| {k} | {100 * v:.2f}% |")
    for k, v in result["agreement"].items():
        print(f"| top-1 agreement {k} | {100 * v:.2f}% |")
    if args.slim:
        s = result["speed"]
        print(f"\n| {args.threads} threads | ORT FP32 | slim FP32 | ORT INT8 | slim INT8 | slim/ORT INT8 speed |")
        print("|---|---|---|---|---|---|")
        for batch in (1, 64):
            row = [s[f"{e} b{batch} ms"] for e in ("ORT FP32", "slim FP32", "ORT INT8", "slim INT8")]
            unit = "latency ms" if batch == 1 else "img/s"
            vals = row if batch == 1 else [batch * 1000 / v for v in row]
            ratio = row[2] / row[3]
            print(f"| batch {batch} {unit} | " + " | ".join(f"{v:.2f}" if batch == 1 else f"{v:.0f}" for v in vals)
                  + f" | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
