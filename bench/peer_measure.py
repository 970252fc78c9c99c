"""Measures ONE peer configuration in this process and prints one JSON line; bench/peers.py runs it
in a fresh process per configuration, so `peak_rss_mb` (VmHWM) is that configuration's own.

    peer_measure.py --framework torch|ort --model M --mode train|qat|infer --dtype fp32|int8
                    --batch B --steps S --warmup W --threads N [--onnx FILE] [--image-size S]

Measured like `slim bench`: `warmup` untimed steps, then the median of `steps` timed steps on one
seeded synthetic batch reused every step.
    torch train: forward + cross-entropy + backward + SGD momentum 0.9 step (lr 0.01), train mode
    torch qat:   the train step after eager-mode QAT preparation (fuse_modules_qat conv+bn+relu, x86 default
                 QAT qconfig, prepare_qat: fake quant of weights and activations; bench/peer_models.py)
    torch infer: eval-mode forward + softmax under inference_mode; int8 = eager-mode static
                 quantization (fuse conv+bn+relu, QuantStub/DeQuantStub, x86 backend = fbgemm),
                 4 calibration batches, convert (bench/peer_models.py)
    ort infer:   the ONNX file peers.py prepared (FP32 export, or its QDQ int8 quantize_static), or any
                 --onnx file: its own input shape when all dims after the batch are fixed, else --model's
    yolov3_mbv1 (bench/peer_yolov3.py, --image-size, fp32 only): train = forward + the YOLOv3 loss of the three
                 scales + backward + SGD momentum 0.9; infer = eval-mode forward to the three head outputs
The ort path imports onnxruntime and numpy only, so its peak RSS carries no PyTorch.
Peak RSS (VmHWM) covers the whole Python process: interpreter, imports, model build (and for torch int8
the calibration), and the timed steps.
"""
import argparse
import json
import resource
import statistics
import sys
import time
import warnings


def median_ms(step, steps, warmup):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def yolov3_step(args):
    import torch
    import peer_yolov3
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = peer_yolov3.YOLOv3()
    images, gt, labels, scores = peer_yolov3.synthetic(args.batch, args.image_size)
    if args.mode == "train":
        optimizer = torch.optim.SGD(net.parameters(), lr=1e-4, momentum=0.9)  # as slim bench
        net.train()

        def train():
            optimizer.zero_grad(set_to_none=True)
            peer_yolov3.total_loss(net(images), gt, labels, scores).backward()
            optimizer.step()
        return train
    net.eval()

    def infer():
        with torch.inference_mode():
            net(images)
    return infer


def torch_step(args):
    import torch
    import torch.nn.functional as F
    import peer_models
    if args.model == "yolov3_mbv1":
        return yolov3_step(args)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = peer_models.WithSoftmax(peer_models.build(args.model))
    x, y = peer_models.synthetic(args.model, args.batch)
    if args.mode == "qat":
        net = peer_models.prepare_qat(net)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

        def qat():
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(net.dequant(net.model(net.quant(x))), y).backward()
            optimizer.step()
        return qat
    if args.mode == "train":
        optimizer = torch.optim.SGD(net.model.parameters(), lr=0.01, momentum=0.9)
        net.model.train()

        def train():
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(net.model(x), y).backward()
            optimizer.step()
        return train
    net.eval()
    if args.dtype == "int8":
        net = peer_models.quantize_int8(net, args.model)

    def infer():
        with torch.inference_mode():
            net(x)
    return infer


def ort_step(args):
    import numpy as np
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])
    shape = {"lenet": (1, 28, 28), "mbv1": (3, 32, 32), "resnet20": (3, 32, 32),
             "yolov3_mbv1": (3, args.image_size, args.image_size)}[args.model]
    declared = session.get_inputs()[0].shape[1:]
    if all(isinstance(d, int) and d > 0 for d in declared):
        shape = tuple(declared)   # a file's own input (e.g. an exported example model, 1x32x32)
    feed = {session.get_inputs()[0].name: np.random.default_rng(0).random((args.batch,) + shape, dtype=np.float32)}
    return lambda: session.run(None, feed)


def peak_rss_mb():
    """VmHWM, the peak RSS of this process's address space. Not ru_maxrss: Linux carries that across
    execve from the forked parent (here a Python that has imported PyTorch)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=["torch", "ort"], required=True)
    parser.add_argument("--model", choices=["lenet", "mbv1", "resnet20", "yolov3_mbv1"], required=True)
    parser.add_argument("--mode", choices=["train", "qat", "infer"], required=True)
    parser.add_argument("--dtype", choices=["fp32", "int8"], required=True)
    for name in ("batch", "steps", "warmup", "threads"):
        parser.add_argument(f"--{name}", type=int, required=True)
    parser.add_argument("--onnx", help="the ONNX file (ort only)")
    parser.add_argument("--image-size", type=int, default=416, help="yolov3_mbv1's image side")
    args = parser.parse_args()
    if args.framework == "ort" and (args.mode != "infer" or not args.onnx):
        parser.error("ort measures inference of an --onnx file")
    warnings.filterwarnings("ignore")
    step = torch_step(args) if args.framework == "torch" else ort_step(args)
    ms = median_ms(step, args.steps, args.warmup)
    peak_mb = peak_rss_mb()
    line = {"framework": args.framework, "model": args.model, "mode": args.mode, "dtype": args.dtype,
            "batch": args.batch, "threads": args.threads, "median_ms": round(ms, 4),
            "images_per_s": round(args.batch * 1000 / ms, 2), "peak_rss_mb": round(peak_mb, 1)}
    if args.model == "yolov3_mbv1":
        line["image_size"] = args.image_size
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    sys.exit(main())
