"""slim's YOLOv3-MobileNetV1 (Sources/SlimGraph/Zoo/YOLOv3.swift, YOLOv3Head.swift, MobileNetBackbone.swift;
PaddleDetection release/0.1 yolov3_mobilenet_v1) rebuilt in PyTorch for `make bench`, with a YOLOv3 loss of
the same semantics as Paddle 1.6's yolov3_loss (Sources/SlimGraph/Ops/Yolov3LossOp.swift):

    MobileNetV1(): conv1 3x3/2 + 13 depthwise-separable blocks (conv + BN + ReLU), maps at stride 8, 16, 32
    YOLOv3(): per scale i (stride 32 first) a detection block of conv + BN + leaky_relu(0.1) with
        c = 512 >> i: 1x1 c, 3x3 2c, 1x1 c, 3x3 2c, 1x1 c (route), 3x3 2c (tip); yolo_output.i = 1x1
        conv with bias to 3 * (5 + 80); route -> 1x1 (256 >> i) + BN + leaky -> nearest 2x ->
        concat([route, next map]) feeds the next scale
    yolov3_loss(): per image, summed over anchors and cells (dense, vectorised):
        positives (the gt's best anchor of all 9 is in this scale's mask; cell Int(x W), Int(y H)):
        (2 - w h) * score * (BCE(tx, x W - gi) + BCE(ty, y H - gj) + |tw - log(w S / a_w)| + |th - log(h S / a_h)|)
        + score * sum_c BCE(cls_c, 1 - 1/C or 1/C) + score * BCE(conf, 1);
        negatives: BCE(conf, 0) on cells whose decoded box has IoU <= ignore_thresh with every gt
    loss = sum over scales of the batch mean of the per-image loss (as slim's program)

Synthetic data as `slim bench`: images uniform in [0, 1), 8 boxes per image (sides 5%..50%), labels in 0..79.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

ANCHORS = [[10, 13], [16, 30], [33, 23], [30, 61], [62, 45], [59, 119], [116, 90], [156, 198], [373, 326]]
ANCHOR_MASKS = [[6, 7, 8], [3, 4, 5], [0, 1, 2]]
CLASSES, MAX_BOXES, BOXES_PER_IMAGE, IGNORE_THRESH = 80, 50, 8, 0.7


def conv_bn(cin, cout, kernel, stride=1, groups=1, act="relu"):
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)]
    layers.append(nn.ReLU() if act == "relu" else nn.LeakyReLU(0.1))
    return nn.Sequential(*layers)


class MobileNetV1(nn.Module):
    BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
              (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]
    TAPS = (3, 5, 12)  # conv3_2, conv4_2, conv6

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 32, 3, 2)
        blocks, channels = [], 32
        for out, stride in self.BLOCKS:
            blocks.append(nn.Sequential(conv_bn(channels, channels, 3, stride, groups=channels), conv_bn(channels, out, 1)))
            channels = out
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x):
        x, maps = self.stem(x), []
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i in self.TAPS:
                maps.append(x)
        return maps


class YOLOv3(nn.Module):
    """Returns the three raw head outputs [N, 255, H_i, W_i], stride 32 first."""

    def __init__(self, classes=CLASSES):
        super().__init__()
        self.backbone = MobileNetV1()
        outs = len(ANCHOR_MASKS[0]) * (5 + classes)
        blocks, outputs, transitions = [], [], []
        cin = 1024
        for i, tap in enumerate((1024, 512, 256)):
            c = 512 >> i
            cin = tap if i == 0 else tap + (256 >> (i - 1))
            leaky = lambda a, b, k: conv_bn(a, b, k, act="leaky")
            blocks.append(nn.ModuleList([leaky(cin, c, 1), leaky(c, 2 * c, 3), leaky(2 * c, c, 1), leaky(c, 2 * c, 3),
                                         leaky(2 * c, c, 1), leaky(c, 2 * c, 3)]))
            outputs.append(nn.Conv2d(2 * c, outs, 1))
            if i < 2:
                transitions.append(leaky(c, 256 >> i, 1))
        self.blocks, self.outputs, self.transitions = nn.ModuleList(blocks), nn.ModuleList(outputs), nn.ModuleList(transitions)

    def forward(self, image):
        maps = self.backbone(image)[::-1]
        results, route = [], None
        for i, feature in enumerate(maps):
            x = feature if route is None else torch.cat([route, feature], 1)
            for layer in self.blocks[i][:5]:
                x = layer(x)
            results.append(self.outputs[i](self.blocks[i][5](x)))
            if i < 2:
                route = F.interpolate(self.transitions[i](x), scale_factor=2, mode="nearest")
        return results


def yolov3_loss(x, gt, label, score, mask, downsample, ignore_thresh=IGNORE_THRESH, label_smooth=True):
    """Per-image loss [N] of one scale. gt: [N, B, 4] normalized (cx, cy, w, h), rows with w or h < 1e-6 unused."""
    n, _, h, w = x.shape
    m, classes = len(mask), x.shape[1] // len(mask) - 5
    p = x.view(n, m, 5 + classes, h, w)
    s = float(downsample * h)
    all_anchors = torch.tensor(ANCHORS, dtype=x.dtype) / s
    anchors = all_anchors[mask]
    valid = (gt[..., 2] > 1e-6) & (gt[..., 3] > 1e-6)
    with torch.no_grad():  # ignore mask: decoded boxes overlapping some gt by more than ignore_thresh
        cx = (torch.arange(w, dtype=x.dtype).view(1, 1, 1, w) + torch.sigmoid(p[:, :, 0])) / h
        cy = (torch.arange(h, dtype=x.dtype).view(1, 1, h, 1) + torch.sigmoid(p[:, :, 1])) / h
        pw = torch.exp(p[:, :, 2]) * anchors[:, 0].view(1, m, 1, 1)
        ph = torch.exp(p[:, :, 3]) * anchors[:, 1].view(1, m, 1, 1)
        pred = torch.stack([cx - pw / 2, cy - ph / 2, cx + pw / 2, cy + ph / 2], -1).view(n, -1, 1, 4)
        g = torch.cat([gt[..., :2] - gt[..., 2:] / 2, gt[..., :2] + gt[..., 2:] / 2], -1).view(n, 1, -1, 4)
        iw = (torch.minimum(pred[..., 2], g[..., 2]) - torch.maximum(pred[..., 0], g[..., 0])).clamp(min=0)
        ih = (torch.minimum(pred[..., 3], g[..., 3]) - torch.maximum(pred[..., 1], g[..., 1])).clamp(min=0)
        inter = iw * ih
        union = ((pred[..., 2] - pred[..., 0]) * (pred[..., 3] - pred[..., 1]) + (g[..., 2] - g[..., 0]) * (g[..., 3] - g[..., 1]) - inter)
        iou = torch.where(valid.view(n, 1, -1), inter / union.clamp(min=1e-10), torch.zeros_like(inter))
        ignored = (iou.max(-1).values > ignore_thresh).view(n, m, h, w)
        # each gt's best anchor (IoU of shapes), and its cell
        gw, gh = gt[..., 2:3], gt[..., 3:4]
        sinter = torch.minimum(gw, all_anchors[:, 0]) * torch.minimum(gh, all_anchors[:, 1])
        best = (sinter / (gw * gh + all_anchors[:, 0] * all_anchors[:, 1] - sinter)).argmax(-1)
        slot_of = torch.full((len(ANCHORS),), -1, dtype=torch.long)
        slot_of[torch.tensor(mask)] = torch.arange(m)
        slot = slot_of[best]
        positive = valid & (slot >= 0)
        b_idx, t_idx = positive.nonzero(as_tuple=True)
        k = slot[b_idx, t_idx]
        box = gt[b_idx, t_idx]
        gi = (box[:, 0] * w).long().clamp(max=w - 1)
        gj = (box[:, 1] * h).long().clamp(max=h - 1)
        weight = torch.zeros(n, m, h, w, dtype=x.dtype)
        weight[b_idx, k, gj, gi] = (2 - box[:, 2] * box[:, 3]) * score[b_idx, t_idx]
        obj_score = torch.zeros(n, m, h, w, dtype=x.dtype)
        obj_score[b_idx, k, gj, gi] = score[b_idx, t_idx]
        pos_mask = torch.zeros(n, m, h, w, dtype=torch.bool)
        pos_mask[b_idx, k, gj, gi] = True
        target = torch.zeros(n, m, 4, h, w, dtype=x.dtype)
        target[b_idx, k, :, gj, gi] = torch.stack([box[:, 0] * w - gi, box[:, 1] * h - gj,
                                                   torch.log(box[:, 2] / anchors[k, 0]), torch.log(box[:, 3] / anchors[k, 1])], -1)
        low = 1.0 / classes if label_smooth else 0.0
        cls_target = torch.full((n, m, classes, h, w), low, dtype=x.dtype)
        cls_target[b_idx, k, label[b_idx, t_idx], gj, gi] = 1.0 - low
        negative = (~pos_mask & ~ignored).to(x.dtype)
    bce = lambda logits, t: F.binary_cross_entropy_with_logits(logits, t, reduction="none")
    loc = (bce(p[:, :, 0], target[:, :, 0]) + bce(p[:, :, 1], target[:, :, 1])
           + (p[:, :, 2] - target[:, :, 2]).abs() + (p[:, :, 3] - target[:, :, 3]).abs()) * weight
    cls = bce(p[:, :, 5:], cls_target).sum(2) * obj_score
    conf = p[:, :, 4]
    obj = bce(conf, torch.ones_like(conf)) * obj_score + bce(conf, torch.zeros_like(conf)) * negative
    return (loc + cls + obj).view(n, -1).sum(1)


def total_loss(outputs, gt, label, score):
    return sum(yolov3_loss(x, gt, label, score, ANCHOR_MASKS[i], 32 >> i).mean() for i, x in enumerate(outputs))


def synthetic(batch, size, seed=0):
    """(images, gt [N, 50, 4] normalized cx cy w h, labels [N, 50], scores [N, 50]): 8 boxes per image."""
    g = torch.Generator().manual_seed(seed)
    images = torch.rand((batch, 3, size, size), generator=g)
    gt = torch.zeros(batch, MAX_BOXES, 4)
    wh = 0.05 + 0.45 * torch.rand((batch, BOXES_PER_IMAGE, 2), generator=g)
    corner = (1 - wh) * torch.rand((batch, BOXES_PER_IMAGE, 2), generator=g)
    gt[:, :BOXES_PER_IMAGE] = torch.cat([corner + wh / 2, wh], -1)
    labels = torch.zeros(batch, MAX_BOXES, dtype=torch.long)
    labels[:, :BOXES_PER_IMAGE] = torch.randint(0, CLASSES, (batch, BOXES_PER_IMAGE), generator=g)
    scores = torch.zeros(batch, MAX_BOXES)
    scores[:, :BOXES_PER_IMAGE] = 1
    return images, gt, labels, scores


def export_onnx(path, size):
    """The eval-mode network up to the three head outputs, batch axis dynamic (legacy exporter, else dynamo)."""
    torch.manual_seed(0)
    net = YOLOv3().eval()
    example = torch.rand(1, 3, size, size)
    names = ["yolo_output_0", "yolo_output_1", "yolo_output_2"]
    axes = {name: {0: "n"} for name in ["image"] + names}
    try:
        torch.onnx.export(net, (example,), path, dynamo=False, input_names=["image"], output_names=names,
                          dynamic_axes=axes, opset_version=17)
    except Exception as legacy_error:
        try:
            torch.onnx.export(net, (example,), path, dynamo=True, input_names=["image"], output_names=names,
                              dynamic_shapes={"image": {0: torch.export.Dim("n", min=1, max=1024)}}, opset_version=17)
        except Exception as dynamo_error:
            raise RuntimeError(f"ONNX export failed: legacy: {legacy_error}; dynamo: {dynamo_error}")
