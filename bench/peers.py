"""The peers slim is measured against, one fresh process per configuration (bench/peer_measure.py):

    PyTorch (CPU): FP32 train and infer; QAT train step (eager-mode prepare_qat, x86 qconfig); INT8 infer
                   after eager-mode static quantization + convert
    ONNX Runtime (CPU EP): FP32 infer of the exported model; INT8 infer of its QDQ quantize_static
    (per-channel s8 weights, u8 activations, MinMax over 4 calibration batches; Softmax left in float)

The networks are bench/peer_models.py (slim's zoo, layer for layer) and bench/peer_yolov3.py (YOLOv3-
MobileNetV1; ORT runs its export up to the three head outputs, FP32 and its QDQ quantize_static INT8;
PyTorch runs it in FP32 only). The ONNX files are made once
here (in --onnx-dir, reused when present, e.g. across thread counts) so ONNX Runtime's processes
import no PyTorch and their peak RSS is ONNX Runtime's alone.

Usage: peers.py --threads N [--onnx-dir DIR] [--no-ort] [--no-torch] < plan, each plan line being
`model mode dtype batch steps warmup [image_size]` (bench/plan.txt; image_size for yolov3_mbv1, default 416). Prints one JSON object per line,
configuration and framework: {"framework", "model", "mode", "dtype", "batch", "threads",
"median_ms", "images_per_s", "peak_rss_mb"}, or {..., "error"} when that peer could not run.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = ("lenet", "mbv1", "resnet20", "yolov3_mbv1")
DETECTOR = "yolov3_mbv1"


def export_fp32(model, path):
    """Exports eval-mode WithSoftmax(model) with a dynamic batch axis (legacy exporter, else dynamo)."""
    import torch
    import peer_models
    torch.manual_seed(0)
    net = peer_models.WithSoftmax(peer_models.build(model)).eval()
    example = torch.rand((1,) + peer_models.INPUT_SHAPES[model])
    kwargs = dict(input_names=["image"], output_names=["prob"], opset_version=17)
    try:
        torch.onnx.export(net, (example,), path, dynamo=False, dynamic_axes={"image": {0: "n"}, "prob": {0: "n"}}, **kwargs)
    except Exception as legacy_error:  # the legacy exporter may be gone in newer torch
        try:
            batch = torch.export.Dim("n", min=1, max=1024)
            torch.onnx.export(net, (example,), path, dynamo=True, dynamic_shapes={"x": {0: batch}}, **kwargs)
        except Exception as dynamo_error:
            raise RuntimeError(f"ONNX export failed: legacy: {legacy_error}; dynamo: {dynamo_error}")


class Calibration:
    """onnxruntime.quantization's CalibrationDataReader: the same 4 seeded batches PyTorch calibrates on
    (the detector: 4 seeded batches of 2 synthetic images at its size, as slim bench calibrates)."""

    def __init__(self, model, input_name, image_size=None):
        import peer_models
        if model == DETECTOR:
            import peer_yolov3
            self.batches = [{input_name: peer_yolov3.synthetic(2, image_size, seed)[0].numpy()}
                            for seed in range(1, peer_models.CALIBRATION_BATCHES + 1)]
            return
        self.batches = [{input_name: peer_models.synthetic(model, peer_models.CALIBRATION_SIZE, seed)[0].numpy()}
                        for seed in range(1, peer_models.CALIBRATION_BATCHES + 1)]

    def get_next(self):
        return self.batches.pop(0) if self.batches else None

    def rewind(self):
        pass


def quantize_int8(model, fp32_path, path, image_size=None):
    """quantize_static in QDQ format, per channel, after quant_pre_process (shape inference, graph
    optimisation: batch norm folded into the convolutions, constants folded) when that succeeds;
    where the symbolic shape inference fails (the detector's dynamic Resize), without it (the
    optimisation alone makes ORT's INT8 detector 2.4x faster)."""
    # ONNX Runtime's shape inference and calibration leave scratch files (sym_shape_infer_temp.onnx,
    # <uuid>.data external weights) in the working directory: run them in a scratch one.
    fp32_path, path = os.path.abspath(fp32_path), os.path.abspath(path)
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="slim-bench-quantize-") as scratch:
        os.chdir(scratch)
        try:
            quantize_int8_here(model, fp32_path, path, image_size)
        finally:
            os.chdir(previous)


def quantize_int8_here(model, fp32_path, path, image_size):
    """`quantize_int8` in the current directory."""
    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    source = fp32_path
    pre = path.replace(".onnx", "_pre.onnx")
    for skip_symbolic in (False, True):
        try:
            from onnxruntime.quantization.shape_inference import quant_pre_process
            quant_pre_process(fp32_path, pre, skip_symbolic_shape=skip_symbolic)
            source = pre
            break
        except Exception as error:
            print(f"peers: quant_pre_process{' (no symbolic shapes)' if skip_symbolic else ''} failed for {model}: {error}",
                  file=sys.stderr, flush=True)
    graph = onnx.load(source).graph
    # Softmax stays float; a Constant's output is a parameter (the detector's Resize scales), and
    # quantizing it rounds the 2x upsample's channel scale 1.0 down (766 of 768 channels).
    ops = sorted({node.op_type for node in graph.node} - {"Softmax", "Constant"})
    quantize_static(source, path, Calibration(model, graph.input[0].name, image_size), quant_format=QuantFormat.QDQ,
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax, op_types_to_quantize=ops)


def onnx_file(model, dtype, directory, image_size=None):
    """The ONNX file for (model, dtype), made on first use."""
    if model == DETECTOR:
        path = os.path.join(directory, f"{model}_{image_size}_{dtype}.onnx")
        if not os.path.exists(path):
            fp32 = os.path.join(directory, f"{model}_{image_size}_fp32.onnx")
            if not os.path.exists(fp32):
                import peer_yolov3
                peer_yolov3.export_onnx(fp32, image_size)
            if dtype == "int8":
                quantize_int8(model, fp32, path, image_size)
        return path
    path = os.path.join(directory, f"{model}_{dtype}.onnx")
    if not os.path.exists(path):
        fp32 = os.path.join(directory, f"{model}_fp32.onnx")
        if not os.path.exists(fp32):
            export_fp32(model, fp32)
        if dtype == "int8":
            quantize_int8(model, fp32, path)
    return path


def measure(framework, config, threads, onnx_dir):
    """Runs peer_measure.py for one configuration; returns its JSON line, or an error line."""
    model, mode, dtype, batch, steps, warmup, image_size = config
    line = {"framework": framework, "model": model, "mode": mode, "dtype": dtype, "batch": batch, "threads": threads}
    command = [sys.executable, os.path.join(HERE, "peer_measure.py"), "--framework", framework, "--model", model,
               "--mode", mode, "--dtype", dtype, "--batch", str(batch), "--steps", str(steps),
               "--warmup", str(warmup), "--threads", str(threads)]
    if image_size is not None:
        line["image_size"] = image_size
        command += ["--image-size", str(image_size)]
    try:
        if framework == "ort":
            command += ["--onnx", onnx_file(model, dtype, onnx_dir, image_size)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        sys.stderr.write(done.stderr)
        results = [l for l in done.stdout.splitlines() if l.startswith("{")]
        if done.returncode == 0 and results:
            return results[-1]
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    except Exception as error:  # export, quantization or timeout: keep the other numbers
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    print(f"peers: {framework} {model} {mode} {dtype} batch {batch}: {reason}", file=sys.stderr, flush=True)
    return json.dumps(dict(line, error=reason[:200]))


def read_plan(lines):
    plan = []
    for line in lines:
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        detector = fields[0] == DETECTOR
        if len(fields) not in ((6, 7) if detector else (6,)) or fields[0] not in MODELS or fields[1] not in ("train", "qat", "infer") \
                or fields[2] not in ("fp32", "int8") or (fields[2] != "fp32" and fields[1] != "infer") \
                or (detector and fields[1] == "qat"):
            raise SystemExit(f"peers: bad plan line: {line.strip()}")
        image_size = (int(fields[6]) if len(fields) == 7 else 416) if detector else None
        plan.append((fields[0], fields[1], fields[2], int(fields[3]), int(fields[4]), int(fields[5]), image_size))
    return plan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--onnx-dir", help="where the ONNX files are made or found (default: a temporary directory)")
    parser.add_argument("--no-ort", action="store_true", help="measure PyTorch only")
    parser.add_argument("--no-torch", action="store_true", help="measure ONNX Runtime only")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    sys.path.insert(0, HERE)
    frameworks = [f for f, off in (("torch", args.no_torch), ("ort", args.no_ort)) if not off]
    plan = read_plan(sys.stdin)
    with tempfile.TemporaryDirectory(prefix="slim-bench-onnx-") as scratch:
        onnx_dir = args.onnx_dir or scratch
        os.makedirs(onnx_dir, exist_ok=True)
        for config in plan:
            for framework in frameworks:
                if framework == "ort" and config[1] != "infer":
                    continue
                if framework == "torch" and config[0] == DETECTOR and config[2] == "int8":
                    continue  # no PyTorch INT8 detector: ONNX Runtime's QDQ model is the INT8 peer
                print(measure(framework, config, args.threads, onnx_dir), flush=True)


if __name__ == "__main__":
    main()
