"""The peers slim is measured against: PyTorch (CPU, FP32 train + infer) and ONNX Runtime (FP32 infer).

The architectures are built layer for layer like slim's zoo (Sources/SlimGraph/Zoo/*.swift), and
each configuration is measured like `slim bench`: `warmup` untimed steps, then the median of
`steps` timed steps, one batch of seeded synthetic data reused every step.

    train: forward + cross-entropy + backward + SGD momentum 0.9 step (lr 0.01), model in train mode
    infer: eval-mode forward + softmax (no autograd), batch 1 = latency, batch 64 = throughput

Usage: peers.py --threads N < plan, where each plan line is `model mode dtype batch steps warmup`
(the peers measure the fp32 lines; int8 lines are slim's alone).
Prints one JSON object per line and configuration and framework:
    {"framework", "model", "mode", "dtype", "batch", "threads", "median_ms", "images_per_s"}
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SHAPES = {"lenet": (1, 28, 28), "mbv1": (3, 32, 32), "resnet20": (3, 32, 32)}


class LeNet5(nn.Module):
    """conv 6@5x5 pad 2 + ReLU, max pool 2, conv 16@5x5 + ReLU, max pool 2, fc 120/84 + ReLU, fc 10."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def conv_bn(cin, cout, kernel, stride=1, groups=1, relu=True):
    """Convolution without bias, batch norm (Paddle's momentum 0.9 = torch's 0.1), optional ReLU."""
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)]
    if relu:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class MobileNetV1(nn.Module):
    """MobileNetV1 1.0: 3x3 stem (stride 1 for inputs <= 64 px), 13 depthwise-separable blocks, avg pool, fc."""

    BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
              (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, classes=10, size=32):
        super().__init__()
        layers = [conv_bn(3, 32, 3, 1 if size <= 64 else 2)]
        channels = 32
        for out, stride in self.BLOCKS:
            layers.append(conv_bn(channels, channels, 3, stride, groups=channels))
            layers.append(conv_bn(channels, out, 1))
            channels = out
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.fc(torch.flatten(x, 1))


class BasicBlock(nn.Module):
    """Two 3x3 conv + BN, the first with ReLU; 1x1 conv + BN shortcut when the shape changes; add, ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = conv_bn(cin, cout, 3, stride)
        self.b = conv_bn(cout, cout, 3, relu=False)
        self.shortcut = conv_bn(cin, cout, 1, stride, relu=False) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return F.relu(self.b(self.a(x)) + self.shortcut(x))


class ResNetCifar(nn.Module):
    """CIFAR ResNet-(6n+2): 3x3 16-channel stem, three stages of n blocks at 16/32/64 channels, avg pool, fc."""

    def __init__(self, depth=20, classes=10):
        super().__init__()
        n = (depth - 2) // 6
        layers = [conv_bn(3, 16, 3)]
        channels = 16
        for stage, width in enumerate([16, 32, 64]):
            for i in range(n):
                layers.append(BasicBlock(channels, width, 2 if i == 0 and stage > 0 else 1))
                channels = width
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), 1)
        return self.fc(torch.flatten(x, 1))


def build(name):
    return {"lenet": LeNet5, "mbv1": MobileNetV1, "resnet20": ResNetCifar}[name]()


class WithSoftmax(nn.Module):
    """The inference output slim fetches: softmax probabilities."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return F.softmax(self.model(x), dim=1)


def median_ms(step, steps, warmup):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def synthetic(model, batch, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand((batch,) + INPUT_SHAPES[model], generator=g)
    y = torch.randint(0, 10, (batch,), generator=g)
    return x, y


def torch_train_step(net, x, y):
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    net.train()

    def step():
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(net(x), y).backward()
        optimizer.step()
    return step


def torch_infer_step(net, x):
    net.eval()

    def step():
        with torch.inference_mode():
            net(x)
    return step


def export_onnx(net, model, path):
    """Exports the eval-mode model with softmax and a dynamic batch axis (legacy exporter, else dynamo)."""
    net.eval()
    example = torch.rand((1,) + INPUT_SHAPES[model])
    kwargs = dict(input_names=["image"], output_names=["prob"], opset_version=17)
    try:
        torch.onnx.export(net, (example,), path, dynamo=False, dynamic_axes={"image": {0: "n"}, "prob": {0: "n"}}, **kwargs)
    except Exception as legacy_error:  # the legacy exporter may be gone in newer torch
        try:
            batch = torch.export.Dim("n", min=1, max=1024)
            torch.onnx.export(net, (example,), path, dynamo=True, dynamic_shapes={"x": {0: batch}}, **kwargs)
        except Exception as dynamo_error:
            raise RuntimeError(f"ONNX export failed: legacy: {legacy_error}; dynamo: {dynamo_error}")


def ort_session(path, threads):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def record(framework, model, mode, batch, threads, ms):
    print(json.dumps({"framework": framework, "model": model, "mode": mode, "dtype": "fp32", "batch": batch,
                      "threads": threads, "median_ms": round(ms, 4), "images_per_s": round(batch * 1000 / ms, 2)}),
          flush=True)


def run_plan(plan, threads, onnx_dir, with_ort):
    nets, sessions = {}, {}
    for model, mode, batch, steps, warmup in plan:
        torch.manual_seed(0)
        if model not in nets:
            nets[model] = WithSoftmax(build(model))
        net = nets[model]
        x, y = synthetic(model, batch)
        if mode == "train":
            record("torch", model, mode, batch, threads, median_ms(torch_train_step(net.model, x, y), steps, warmup))
            continue
        record("torch", model, mode, batch, threads, median_ms(torch_infer_step(net, x), steps, warmup))
        if not with_ort or (model in sessions and sessions[model] is None):
            continue
        try:
            if model not in sessions:
                path = os.path.join(onnx_dir, f"{model}.onnx")
                export_onnx(net, model, path)
                sessions[model] = ort_session(path, threads)
            session, feed = sessions[model], {"image": x.numpy()}
            record("ort", model, mode, batch, threads, median_ms(lambda: session.run(None, feed), steps, warmup))
        except Exception as error:  # keep the torch numbers; say why ORT is missing
            print(f"peers: onnxruntime skipped for {model}: {error}", file=sys.stderr, flush=True)
            sessions[model] = None


def read_plan(lines):
    plan = []
    for line in lines:
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) != 6 or fields[0] not in INPUT_SHAPES or fields[1] not in ("train", "infer"):
            raise SystemExit(f"peers: bad plan line: {line.strip()}")
        model, mode, dtype, batch, steps, warmup = fields
        if dtype != "fp32":
            continue
        plan.append((model, mode, int(batch), int(steps), int(warmup)))
    return plan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--no-ort", action="store_true", help="measure PyTorch only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="torch.onnx")
    np.random.seed(0)
    plan = read_plan(sys.stdin)
    with tempfile.TemporaryDirectory(prefix="slim-bench-onnx-") as onnx_dir:
        run_plan(plan, args.threads, onnx_dir, not args.no_ort)


if __name__ == "__main__":
    main()
