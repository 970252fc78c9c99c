extension ModuleRegistry {
    static let schedulerTags = ["PiecewiseDecay", "LinearWarmup", "CosineDecay", "ExponentialDecay"]
    static let transformTags = ["Normalize", "RandomCrop", "RandomFlip", "Resize", "ToTensor"]
    static let optimizerNames = ["SGD", "Momentum", "Adam", "AdamW"]

    /// The globals of a model YAML, as the pseudo-module `Global`.
    static let global = ModuleSchema("Global", "Top-level settings of a model YAML.", [
        OptionSchema("architecture", .string, nil, required: true, "Model to build: LeNet5 | MobileNetV1 | ResNet | YOLOv3 | Imported (a model directory, e.g. slim import's)."),
        OptionSchema("num_classes", .int, "10", "Number of classes of the classifier head."),
        OptionSchema("max_iters", .int, nil, "Batches per epoch (PaddleSlim's meaning in compression)."),
        OptionSchema("epoch", .int, "1", "Number of training epochs."),
        OptionSchema("save_dir", .string, "output", "Where `slim train` writes <save_dir>/<name>/{best,last}."),
        OptionSchema("pretrain_weights", .string, "''", "Model directory to start from (a `slim train` output; a local path, slim does not download)."),
        OptionSchema("weights", .string, "''", "Model directory to evaluate or run (default --model_path of eval, infer, calibrate; a local path)."),
        OptionSchema("seed", .int, "1", "Seed of the one random generator (init, shuffle, augmentation)."),
        OptionSchema("log_iter", .int, "20", "Log a progress line every N batches when not on a terminal."),
        OptionSchema("use_gpu", .bool, "false", unused: true, "Accepted for PaddleDetection compatibility; slim runs on CPU."),
        OptionSchema("log_smooth_window", .int, "20", unused: true, "PaddleDetection's loss smoothing window; slim logs window means of its own."),
        OptionSchema("use_fine_grained_loss", .bool, "false", unused: true, "PaddleDetection's YOLOv3 loss spelled in ops; slim uses yolov3_loss."),
        OptionSchema("snapshot_iter", .int, nil, "`slim train` also saves <save_dir>/<name>/<iter> every N iterations (global count)."),
        OptionSchema("map_type", .choice(["11point", "integral"]), "11point", "VOC mAP: 11-point interpolated or integral (area) precision."),
        OptionSchema("threads", .int, "0", "oneDNN threads; 0 = OMP_NUM_THREADS or all cores."),
        OptionSchema("metric", .choice(["top1", "top5", "loss", "VOC", "COCO"]), "top1",
                     "Metric that picks the best epoch: top1|top5|loss (classifier), VOC|COCO (detector: its mAP)."),
        OptionSchema("train_feed", .string, "TrainReader", "Name of the training reader section."),
        OptionSchema("eval_feed", .string, "EvalReader", "Name of the evaluation reader section."),
        OptionSchema("test_feed", .string, "TestReader", "Name of the inference reader section."),
        OptionSchema("class_names", .list(.string), nil, "Class names for predictions (default: the data set's)."),
    ])

    static let architectures: [ModuleSchema] = [
        ModuleSchema("LeNet5", "LeNet-5: two conv+pool stages and three fully connected layers.", [
            OptionSchema("dropout", .float, "0.0", "Dropout probability before the last two fc layers."),
        ]),
        ModuleSchema("MobileNetV1", "MobileNetV1: a conv stem and 13 depthwise-separable blocks.", [
            OptionSchema("scale", .float, "1.0", "Width multiplier of every layer."),
            OptionSchema("norm_type", .choice(["bn", "sync_bn"]), "bn", "Batch norm: sync_bn normalises with the global batch's statistics under mpirun (every batch norm, as PaddleDetection), else bn."),
        ]),
        ModuleSchema("ResNet", "ResNet: CIFAR depths 20/32/56 or ImageNet-style 18/34.", [
            OptionSchema("depth", .int, "20", "Number of layers."),
            OptionSchema("variant", .choice(["cifar", "imagenet"]), "cifar", "Stage layout."),
            OptionSchema("norm_type", .choice(["bn", "sync_bn"]), "bn", "Batch norm: sync_bn normalises with the global batch's statistics under mpirun (every batch norm, as PaddleDetection), else bn."),
        ]),
        ModuleSchema("Imported", "A classifier read from a model directory (slim import's output): its weights are the start, a softmax cross-entropy head is added for training.", [
            OptionSchema("model_dir", .string, nil, required: true, "The model directory (e.g. what slim import --save_path wrote)."),
            OptionSchema("model_name", .string, nil, "Program file name (default: __model__, else model)."),
            OptionSchema("params_name", .string, nil, "Params file name (default: __params__, else weights)."),
        ]),
        ModuleSchema("YOLOv3", "YOLOv3 detector (PaddleDetection): backbone, three-scale head and loss, yolo_box + NMS output.", [
            OptionSchema("backbone", .choice(["MobileNet"]), "MobileNet", "Backbone module."),
            OptionSchema("yolo_head", .choice(["YOLOv3Head"]), "YOLOv3Head", "Head module."),
        ]),
    ]

    /// The component modules of detection architectures (top-level sections of a model YAML).
    static let detectionModules: [ModuleSchema] = [
        ModuleSchema("MobileNet", "MobileNetV1 backbone of a detector: feature maps at stride 8, 16, 32.", [
            OptionSchema("norm_type", .choice(["bn", "sync_bn"]), "bn", "Batch norm: sync_bn normalises with the global batch's statistics under mpirun (every batch norm, as PaddleDetection), else bn."),
            OptionSchema("norm_decay", .float, "0.0", unused: true, "Accepted for PaddleDetection compatibility; not used."),
            OptionSchema("conv_group_scale", .float, "1", "Multiplier of filters and groups (Paddle's)."),
            OptionSchema("with_extra_blocks", .bool, "false", "SSD's extra blocks: not supported, must be false."),
            OptionSchema("scale", .float, "1.0", "Width multiplier of backbone and head (slim's, for CPU runs)."),
        ]),
        ModuleSchema("YOLOv3Head", "YOLOv3 detection blocks, output convs, anchors and NMS.", [
            OptionSchema("anchor_masks", .list(.list(.int)), "[[6, 7, 8], [3, 4, 5], [0, 1, 2]]", "Anchor indices per scale, stride 32 first."),
            OptionSchema("anchors", .list(.list(.int)), "[[10, 13], [16, 30], ...]", "[w, h] anchor sizes in pixels (PaddleDetection's 9)."),
            OptionSchema("norm_decay", .float, "0.0", unused: true, "Accepted for PaddleDetection compatibility; not used."),
            OptionSchema("yolo_loss", .choice(["YOLOv3Loss"]), "YOLOv3Loss", "Loss module (its section configures it)."),
            OptionSchema("nms", .module("MultiClassNMS"), "{background_label: -1, keep_top_k: 100, nms_threshold: 0.45, nms_top_k: 1000, normalized: false, score_threshold: 0.01}",
                         "The multiclass_nms of the output (score_threshold is also yolo_box's conf_thresh)."),
        ]),
        ModuleSchema("YOLOv3Loss", "The yolov3_loss of each scale.", [
            OptionSchema("batch_size", .int, "8", unused: true, "Accepted for PaddleDetection compatibility; not used."),
            OptionSchema("ignore_thresh", .float, "0.7", "IoU above which a non-matched prediction's objectness is not penalised."),
            OptionSchema("label_smooth", .bool, "true", "Smooth class targets to 1 - 1/C and 1/C."),
        ]),
    ]

    /// The `nms` of `YOLOv3Head` (PaddleDetection's `MultiClassNMS`; not a top-level section).
    static let multiClassNMS = ModuleSchema("MultiClassNMS", "multiclass_nms settings of a detector's output (YOLOv3Head.nms).", [
        OptionSchema("background_label", .int, "-1", "Class id skipped by NMS (-1: none)."),
        OptionSchema("keep_top_k", .int, "100", "Detections kept per image after NMS (-1: all)."),
        OptionSchema("nms_threshold", .float, "0.45", "IoU above which a lower-scoring box of the same class is suppressed."),
        OptionSchema("nms_top_k", .int, "1000", "Boxes per class considered, by score (-1: all)."),
        OptionSchema("normalized", .bool, "false", "Boxes in [0, 1] coordinates (false: pixels, +1 in widths)."),
        OptionSchema("score_threshold", .float, "0.01", "Boxes scoring below are dropped."),
        OptionSchema("nms_eta", .float, "1.0", "Adaptive NMS threshold factor (1: fixed)."),
    ], nestedIn: "YOLOv3Head.nms")

    static let schedules: [ModuleSchema] = [
        ModuleSchema("LearningRate", "Base learning rate and the schedulers applied to it (PaddleDetection).", [
            OptionSchema("base_lr", .float, "0.01", "Learning rate before schedules."),
            OptionSchema("schedulers", .list(.object(schedulerTags, aliases: [:])), "[]", "Decays first, then a warmup wrapping them."),
        ]),
        ModuleSchema("PiecewiseDecay", "Multiply the lr by gamma at each milestone (iterations).", [
            OptionSchema("gamma", .float, "0.1", "Factor applied at each milestone."),
            OptionSchema("milestones", .list(.int), "[]", "Iterations at which the lr drops."),
            OptionSchema("values", .list(.float), nil, "Explicit lr values (one more than milestones)."),
            OptionSchema("milestone_epochs", .list(.int), nil, "HAT-style milestones in epochs (× max_iters)."),
        ], usedIn: "LearningRate.schedulers[]"),
        ModuleSchema("LinearWarmup", "Ramp the lr linearly from base_lr*start_factor to base_lr.", [
            OptionSchema("steps", .int, "500", "Warmup length in iterations."),
            OptionSchema("start_factor", .float, "0.3333333", "Fraction of base_lr at step 0."),
            OptionSchema("epochs", .float, nil, "HAT-style warmup length in epochs (× max_iters)."),
        ], usedIn: "LearningRate.schedulers[]"),
        ModuleSchema("CosineDecay", "Cosine decay from base_lr to min_lr over max_iters iterations.", [
            OptionSchema("max_iters", .int, nil, "Length in iterations (default: the whole run)."),
            OptionSchema("min_lr", .float, "0.0", "Final learning rate."),
        ], usedIn: "LearningRate.schedulers[]"),
        ModuleSchema("ExponentialDecay", "lr = base_lr * gamma^(step / decay_steps).", [
            OptionSchema("gamma", .float, "0.9", "Decay factor per decay_steps."),
            OptionSchema("decay_steps", .int, "1000", "Iterations per factor gamma."),
        ], usedIn: "LearningRate.schedulers[]"),
    ]

    static let optimizers: [ModuleSchema] = [
        ModuleSchema("OptimizerBuilder", "Optimizer and regularizer (PaddleDetection).", [
            OptionSchema("optimizer", .object(optimizerNames, aliases: [:]), "{type: Momentum, momentum: 0.9}", "The update rule."),
            OptionSchema("regularizer", .object(["L2Decay"], aliases: ["L2": "L2Decay"]), nil, "Weight decay added to the gradient."),
        ]),
        ModuleSchema("SGD", "Plain stochastic gradient descent.", [], usedIn: "OptimizerBuilder.optimizer"),
        ModuleSchema("Momentum", "SGD with momentum: v = mu*v + g; w -= lr*v.", [
            OptionSchema("momentum", .float, "0.9", "Momentum factor mu."),
            OptionSchema("use_nesterov", .bool, "false", "Nesterov update w -= lr*(g + mu*v)."),
        ], usedIn: "OptimizerBuilder.optimizer"),
        ModuleSchema("Adam", "Adam with bias correction.", [
            OptionSchema("beta1", .float, "0.9", "First-moment decay."),
            OptionSchema("beta2", .float, "0.999", "Second-moment decay."),
            OptionSchema("epsilon", .float, "1e-8", "Added to the denominator."),
        ], usedIn: "OptimizerBuilder.optimizer"),
        ModuleSchema("AdamW", "Adam with decoupled weight decay.", [
            OptionSchema("beta1", .float, "0.9", "First-moment decay."),
            OptionSchema("beta2", .float, "0.999", "Second-moment decay."),
            OptionSchema("epsilon", .float, "1e-8", "Added to the denominator."),
            OptionSchema("weight_decay", .float, "0.01", "Decoupled decay coefficient."),
        ], usedIn: "OptimizerBuilder.optimizer"),
        ModuleSchema("L2Decay", "L2 regularization: g += factor * w.", [
            OptionSchema("factor", .float, "0.0001", "Regularization coefficient."),
        ], usedIn: "OptimizerBuilder.regularizer"),
    ]
}
