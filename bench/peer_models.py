"""slim's zoo networks (Sources/SlimGraph/Zoo/*.swift) rebuilt layer for layer in PyTorch, written so
that eager-mode static quantization works on them: ReLUs are modules (so conv + bn + relu fuse),
the residual add is a FloatFunctional, and `WithSoftmax` puts a QuantStub / DeQuantStub around
the network (identities in FP32) with the softmax in float after it, as slim's INT8 engine does.

    build(name) -> nn.Module (logits), WithSoftmax(net) -> probabilities (what `slim bench` fetches)
    quantize_int8(net, name) -> the int8 model after fuse, prepare, 4 calibration batches, convert
    prepare_qat(net) -> WithSoftmax(net) fused (conv + bn + relu QAT modules) and prepared for eager QAT
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SHAPES = {"lenet": (1, 28, 28), "mbv1": (3, 32, 32), "resnet20": (3, 32, 32)}
CALIBRATION_BATCHES, CALIBRATION_SIZE = 4, 32


class LeNet5(nn.Module):
    """conv 6@5x5 pad 2 + ReLU, max pool 2, conv 16@5x5 + ReLU, max pool 2, fc 120/84 + ReLU, fc 10."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU())
        self.conv2 = nn.Sequential(nn.Conv2d(6, 16, 5), nn.ReLU())
        self.fc1 = nn.Sequential(nn.Linear(16 * 5 * 5, 120), nn.ReLU())
        self.fc2 = nn.Sequential(nn.Linear(120, 84), nn.ReLU())
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2, 2)
        x = F.max_pool2d(self.conv2(x), 2, 2)
        return self.fc3(self.fc2(self.fc1(torch.flatten(x, 1))))


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
        self.add = nn.quantized.FloatFunctional()  # relu(a + b) in FP32; one quantized add_relu after convert

    def forward(self, x):
        return self.add.add_relu(self.b(self.a(x)), self.shortcut(x))


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
    """The inference output slim fetches: softmax probabilities (computed in float for int8 models)."""

    def __init__(self, model):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.model = model
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return F.softmax(self.dequant(self.model(self.quant(x))), dim=1)


def synthetic(model, batch, seed=0):
    """One seeded batch: images uniform in [0, 1), labels uniform in 0..9 (as `slim bench`'s synthetic data)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand((batch,) + INPUT_SHAPES[model], generator=g)
    y = torch.randint(0, 10, (batch,), generator=g)
    return x, y


def fuse_in_place(net, qat=False):
    """Fuses every conv + bn (+ relu) and linear + relu Sequential (eval mode: BN folds into the conv;
    qat: train mode, conv + bn become a QAT module that simulates the fold with batch statistics)."""
    fuse = torch.ao.quantization.fuse_modules_qat if qat else torch.ao.quantization.fuse_modules
    for module in list(net.modules()):  # a list: fusing replaces children while walking
        if isinstance(module, nn.Sequential) and len(module) in (2, 3) and \
                isinstance(module[0], (nn.Conv2d, nn.Linear)) and not isinstance(module[1], nn.Sequential):
            fuse(module, [[str(i) for i in range(len(module))]], inplace=True)


def quantize_int8(net, name, engine="x86"):
    """Eager-mode static quantization of WithSoftmax(net): fuse, default `engine` qconfig (per-channel s8
    weights, u8 histogram-calibrated activations), CALIBRATION_BATCHES seeded batches, convert."""
    q = torch.ao.quantization
    torch.backends.quantized.engine = engine
    net.eval()
    fuse_in_place(net)
    net.qconfig = q.get_default_qconfig(engine)
    q.prepare(net, inplace=True)
    with torch.inference_mode():
        for seed in range(1, CALIBRATION_BATCHES + 1):
            net(synthetic(name, CALIBRATION_SIZE, seed)[0])
    return q.convert(net, inplace=True)


def prepare_qat(net, engine="x86"):
    """Eager-mode quantization-aware training of WithSoftmax(net): fuse in train mode, the default `engine`
    QAT qconfig (per-channel s8 weight fake quant, u8 moving-average activation fake quant), prepare_qat.
    Train on `net.dequant(net.model(net.quant(x)))` (the logits)."""
    q = torch.ao.quantization
    torch.backends.quantized.engine = engine
    net.train()
    fuse_in_place(net, qat=True)
    net.qconfig = q.get_default_qat_qconfig(engine)
    return q.prepare_qat(net, inplace=True)
