import SlimGraph
import SlimQuant
import SlimTensor

extension BenchWorkload {
    /// Objects per synthetic image (of the 50 padded `gt_box` rows).
    static let syntheticBoxes = 8

    /// `TrainingSession.trainBatch` of the whole YOLOv3 program: forward in train mode (backbone,
    /// head, three `yolov3_loss`), backward, Momentum 0.9 update at a constant lr 1e-4, on one
    /// seeded synthetic batch (`syntheticDetectionBatch`).
    static func detectorTrain(_ model: BenchModel, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        let built = try model.build(seed: configuration.seed, imageSize: configuration.imageSize, scale: configuration.scale)
        let session = try TrainingSession(model: built, optimizer: Momentum(momentum: 0.9), schedule: ConstantLR(1e-4),
                                          seed: configuration.seed)
        let batch = syntheticDetectionBatch(model, configuration)
        return BenchWorkload(precision: .fp32, executor: session.executor) { _ = try session.trainBatch(batch) }
    }

    /// Eval-mode forward of the inference program up to the three raw head outputs
    /// (`YOLOv3.headOutputs`, the `yolo_output.i.conv` results): what the ONNX export and the
    /// peers compute; `yolo_box` and `multiclass_nms` are left out as a post-process.
    static func detectorInfer(_ model: BenchModel, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        let built = try model.build(seed: configuration.seed, imageSize: configuration.imageSize, scale: configuration.scale)
        let outputs = YOLOv3.headOutputs(of: built.program)
        let program = try built.program.pruned(feeds: [built.image], fetches: outputs)
        if let dir = configuration.saveModel {
            try ModelFile.save(program: program, params: built.params.filter { program.has($0.key) }, to: dir)
        }
        let executor = try Executor(program: program, seed: configuration.seed)
        executor.replaysInference = true
        let scope = Scope(built.params)
        let images = syntheticDetectionBatch(model, configuration).images
        let image = built.image
        return BenchWorkload(precision: .fp32, executor: executor) {
            try executor.run(feeds: [image: images], scope: scope, mode: .eval, fetches: outputs)
        }
    }

    /// Images per calibration batch of the INT8 detector (at 416 px a train-mode forward of 16
    /// would take seconds; speed does not depend on the scales).
    static let detectorCalibrationBatch = 2

    /// The detector through slim's INT8 pipeline as `int8` takes a classifier, then the eval-mode
    /// forward to the three raw head outputs on the INT8 engine:
    ///
    ///     inference program to the head outputs -> QuantizationTransformPass (`int8Scheme(configuration)`)
    ///     -> `calibrationSteps` train-mode forwards of seeded synthetic images -> QuantizationFreezePass
    ///     -> ConvertToInt8Pass -> Int8LoweringPass
    ///
    /// Backbone and head convolutions run on integer kernels with batch norm folded and
    /// leaky_relu fused, the neck's nearest_interp and route concats on 8-bit values (as for
    /// `slim freeze`'s int8 model of a detector). `yolo_box` and NMS are left out, as in `detectorInfer`.
    static func detectorInt8(_ model: BenchModel, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        Int8Ops.register()
        let built = try model.build(seed: configuration.seed, imageSize: configuration.imageSize, scale: configuration.scale)
        let outputs = YOLOv3.headOutputs(of: built.program)
        var program = try built.program.pruned(feeds: [built.image], fetches: outputs)
        var params = built.params.filter { program.has($0.key) }
        let scheme = int8Scheme(configuration)
        try QuantizationTransformPass(scheme).apply(to: &program, params: &params)
        let scope = Scope(params)
        let calibration = try Executor(program: program, seed: configuration.seed)
        for step in 0..<calibrationSteps {
            var shot = configuration
            shot.batch = detectorCalibrationBatch
            shot.seed = configuration.seed &+ UInt64(step) &+ 1
            try calibration.run(feeds: [built.image: syntheticDetectionBatch(model, shot).images], scope: scope, mode: .train, fetches: outputs)
        }
        var weights = scope.tensors
        try QuantizationFreezePass(scheme).apply(to: &program, params: &weights)
        try ConvertToInt8Pass().apply(to: &program, params: &weights)
        if let dir = configuration.saveModel { try ModelFile.save(program: program, params: weights, to: dir) }
        let images = syntheticDetectionBatch(model, configuration).images
        return try lowered(program, weights, feeds: [built.image: images], outputs: outputs, configuration)
    }

    /// Images uniform in [0, 1); `im_size` the input side; per image `syntheticBoxes` boxes
    /// (normalized xyxy, as the program's `gt_box` feed takes them after `NormalizeBox`; sides
    /// 5%...50% of the image, anywhere inside it) with labels uniform in the
    /// 80 classes and score 1, the other rows of the 50 zero (padding).
    static func syntheticDetectionBatch(_ model: BenchModel, _ configuration: BenchConfiguration) -> Batch {
        let shape = model.inputShape(imageSize: configuration.imageSize)
        let n = configuration.batch, rows = YOLOv3.defaultMaxBoxes
        var rng = SeededGenerator(seed: configuration.seed)
        let pixels = (0..<n * shape.reduce(1, *)).map { _ in rng.nextUnitFloat() }
        var boxes = [Float](repeating: 0, count: n * rows * 4), labels = [Int](repeating: 0, count: n * rows)
        var scores = [Float](repeating: 0, count: n * rows)
        for i in 0..<n {
            for j in 0..<syntheticBoxes {
                let w = 0.05 + 0.45 * rng.nextUnitFloat(), h = 0.05 + 0.45 * rng.nextUnitFloat()
                let x = (1 - w) * rng.nextUnitFloat(), y = (1 - h) * rng.nextUnitFloat()
                let row = i * rows + j
                boxes.replaceSubrange(row * 4..<row * 4 + 4, with: [x, y, x + w, y + h])
                labels[row] = Int(rng.next() % UInt64(BenchModel.detectionClasses))
                scores[row] = 1
            }
        }
        let tensors: [String: Tensor] = [
            "image": Tensor(shape: [n] + shape, floats: pixels),
            "im_size": Tensor(shape: [n, 2], dtype: .s32, integers: Array(repeating: [shape[1], shape[2]], count: n).flatMap { $0 }),
            "gt_box": Tensor(shape: [n, rows, 4], floats: boxes),
            "gt_label": Tensor(shape: [n, rows], dtype: .s32, integers: labels),
            "gt_score": Tensor(shape: [n, rows], floats: scores),
        ]
        return Batch(tensors: tensors, indices: Array(0..<n))
    }
}
