"""Exports PyTorch models to ONNX for Tests/SlimCLITests/ONNXImportTorchEndToEndTests.swift: the
peer zoo networks of peer_models.py (batch norm statistics perturbed; constant folding off, so
BatchNormalization stays a node), a mixed module (x.view(x.size(0), -1), hardswish, sigmoid,
clamp, residual mul) and a decoder (PReLU, reflection pad, transposed conv, bilinear and nearest
interpolation), each with a random batch and PyTorch's outputs.

    onnx_torch_models.py --out DIR [--dynamo]

Writes DIR/NAME.onnx, DIR/NAME.input.f32, DIR/NAME.out0.f32 (little-endian float32) and
DIR/models.json: [{"name", "opset", "input_shape", "output_shape"}].
"""
import argparse
import json
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_models  # noqa: E402


class Mixed(nn.Module):
    """Ops PyTorch users write that the zoo does not: view with the batch size, hardswish,
    sigmoid gating, clamp, average pooling with padding, leaky relu, dropout, tanh."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.gate = nn.Conv2d(8, 8, 1)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        x = F.hardswish(self.bn(self.conv(x)))
        x = self.dw(x)
        x = x * torch.sigmoid(self.gate(x))
        x = torch.clamp(x, -1.0, 2.5)
        x = F.avg_pool2d(F.leaky_relu(x, 0.05), 3, stride=2, padding=1, count_include_pad=False)
        x = self.drop(torch.tanh(x))
        return F.softmax(self.fc(x.view(x.size(0), -1)), dim=1)


class Decoder(nn.Module):
    """Up-sampling ops of segmentation and detection heads: PReLU, reflection padding, a
    transposed convolution, bilinear and nearest interpolation, concatenation, sigmoid."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3)
        self.prelu = nn.PReLU(6)
        self.up = nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1)
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        x = self.prelu(self.conv(F.pad(x, (1, 1, 1, 1), mode="reflect")))
        a = self.up(x)
        b = F.interpolate(x[:, :4], scale_factor=2, mode="bilinear", align_corners=False)
        y = self.head(torch.cat([a, b], dim=1))
        return torch.sigmoid(F.interpolate(y, scale_factor=2, mode="nearest"))


def perturb(net, seed):
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    return net.eval()


def export(name, net, shape, out, opset, dynamo):
    x = torch.rand((3,) + shape, generator=torch.Generator().manual_seed(11))
    path = os.path.join(out, f"{name}.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dynamo:
            torch.onnx.export(net, (x,), path, dynamo=True, opset_version=opset, input_names=["input"], output_names=["output"],
                              dynamic_shapes={"x": {0: torch.export.Dim("N")}}, external_data=False)
        else:
            torch.onnx.export(net, x, path, dynamo=False, opset_version=opset, do_constant_folding=False,
                              input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    with torch.no_grad():
        y = net(x)
    x.numpy().astype("<f4").tofile(os.path.join(out, f"{name}.input.f32"))
    y.numpy().astype("<f4").tofile(os.path.join(out, f"{name}.out0.f32"))
    return {"name": name, "opset": opset, "input_shape": list(x.shape), "output_shape": list(y.shape)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--dynamo", action="store_true", help="also export with the torch.export-based exporter (opset 18)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(3)
    models = []
    for i, name in enumerate(["lenet", "mbv1", "resnet20"]):
        net = perturb(peer_models.build(name), i)
        models.append(export(name, net, peer_models.INPUT_SHAPES[name], args.out, 13, False))
    models.append(export("mixed_opset14", perturb(Mixed(), 7), (3, 16, 16), args.out, 14, False))
    models.append(export("mixed_opset17", perturb(Mixed(), 8), (3, 16, 16), args.out, 17, False))
    models.append(export("decoder_opset13", Decoder().eval(), (3, 12, 16), args.out, 13, False))
    models.append(export("decoder_opset17", Decoder().eval(), (3, 12, 16), args.out, 17, False))
    if args.dynamo:
        models.append(export("decoder_dynamo", Decoder().eval(), (3, 12, 16), args.out, 18, True))
        models.append(export("mixed_dynamo", perturb(Mixed(), 9), (3, 16, 16), args.out, 18, True))
        models.append(export("resnet20_dynamo", perturb(peer_models.build("resnet20"), 10), (3, 32, 32), args.out, 18, True))
    with open(os.path.join(args.out, "models.json"), "w") as f:
        json.dump(models, f, indent=1)
    print(json.dumps({"models": [m["name"] for m in models]}))


if __name__ == "__main__":
    main()
