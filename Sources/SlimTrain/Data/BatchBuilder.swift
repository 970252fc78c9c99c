import SlimTensor

/// Turns data set indices into batches; all randomness is a pure function of
/// `(seed, pass, index)`, so a batch never depends on thread timing or on earlier batches.
struct BatchBuilder {
    let dataset: any Dataset
    let transforms: [any Transform]
    let seed: UInt64
    /// `[C, H, W]` of every transformed sample.
    let sampleShape: [Int]
    /// Objects per sample in a detection batch's padded ground truth.
    let numMaxBoxes: Int
    /// Applied to each batch's samples before stacking (may change the image size per batch).
    var batchTransforms: [any BatchTransform] = []
    /// Passes below this attach a mixup sample to each sample when a `MixupImage` is in the
    /// transforms (PaddleDetection's `mixup_epoch`; <= 0: never).
    var mixupEpoch = -1

    /// The pass used for evaluation batches' per-sample generators.
    static let evalPass = UInt64.max

    /// Validates that the transforms accept the data set's sample shape.
    init(dataset: any Dataset, transforms: [any Transform], seed: UInt64, numMaxBoxes: Int = 50) throws {
        guard numMaxBoxes > 0 else { throw DataError.invalidConfiguration("num_max_boxes must be > 0, got \(numMaxBoxes)") }
        self.dataset = dataset
        self.transforms = transforms
        self.seed = seed
        self.numMaxBoxes = numMaxBoxes
        sampleShape = try transforms.outputShape(dataset.imageShape)
        guard sampleShape.count == 3, sampleShape.allSatisfy({ $0 > 0 }) else {
            throw DataError.invalidConfiguration("samples of shape \(sampleShape) cannot be batched as [N, C, H, W]")
        }
    }

    /// The sample order of pass `pass`: a Fisher-Yates shuffle driven by a generator seeded
    /// with `mix(seed, pass)`, or the identity when not shuffling.
    func order(pass: Int, shuffle: Bool) -> [Int] {
        var order = Array(0..<dataset.count)
        guard shuffle else { return order }
        var rng = SeededGenerator(seed: Self.mix(seed, UInt64(pass), 0x5EED_0F_0DE5))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        return order
    }

    /// Reads, transforms and stacks the samples `indices` of pass `pass`; for a data set with
    /// boxes, also their padded ground truth (`BoxBatch`).
    func batch(_ indices: ArraySlice<Int>, pass: UInt64) throws -> Batch {
        let n = indices.count
        var labels = Tensor(shape: [n, 1], dtype: .s32)
        var boxes = dataset.annotatesBoxes ? BoxBatch(samples: n, numMaxBoxes: numMaxBoxes) : nil
        let names = indices.map(dataset.sampleName)
        var samples: [AnnotatedImage] = []
        samples.reserveCapacity(n)
        for (row, index) in indices.enumerated() {
            let (sample, original) = try transformed(index, pass: pass)
            let label = original.label
            let shape = original.shape ?? dataset.imageShape
            boxes?.set(row: row, sample.annotations, originalSize: ImageSize(height: shape[1], width: shape[2]), imageID: original.imageID)
            guard let value = Int32(exactly: label) else {
                throw DataError.malformed(path: names[row], reason: "label \(label) is not a class index (32-bit)")
            }
            labels.withUnsafeMutableElements(as: Int32.self) { $0[row] = value }
            samples.append(sample)
        }
        if !batchTransforms.isEmpty, let first = indices.first {
            var rng = SeededGenerator(seed: Self.mix(Self.mix(seed, pass, UInt64(first)), 0xBA7C_5EED, UInt64(n)))
            for transform in batchTransforms { transform.apply(&samples, rng: &rng) }
        }
        let images = try Self.stack(samples, names: names)
        var batch = Batch(images: images, labels: labels, indices: Array(indices), sampleNames: names)
        boxes?.add(to: &batch)
        return batch
    }

    /// The images as one `[N, C, H, W]` tensor.
    /// - Throws: `DataError.mismatch` naming a sample whose shape differs from the first one's.
    static func stack(_ samples: [AnnotatedImage], names: [String]) throws -> Tensor {
        let shape = samples.first?.image.shape ?? [0, 0, 0], size = shape.reduce(1, *)
        var images = Tensor(shape: [samples.count] + shape)
        for (row, sample) in samples.enumerated() {
            guard sample.image.shape == shape else {
                throw DataError.mismatch(path: names[row], reason: "batch transforms gave \(sample.image.shape), the batch's first image is \(shape)")
            }
            images.withUnsafeMutableFloats { dst in
                sample.image.data.withUnsafeBufferPointer { (dst.baseAddress! + row * size).update(from: $0.baseAddress!, count: size) }
            }
        }
        return images
    }

    /// One sample after the transforms, with its generator seeded by `mix(seed, pass, index)`.
    /// - Returns: the transformed image and boxes, and the sample as read (its pixels dropped).
    func transformed(_ index: Int, pass: UInt64) throws -> (sample: AnnotatedImage, original: Sample) {
        var sample = try dataset.sample(index)
        var annotated = AnnotatedImage(image: try Image(sample: sample, shape: sample.shape ?? dataset.imageShape, source: "sample \(index)"),
                                       annotations: sample.annotations)
        sample.pixels = .bytes([])
        if let partner = mixupPartner(of: index, pass: pass) {
            let other = try dataset.sample(partner)
            annotated.mixup = [AnnotatedImage(image: try Image(sample: other, shape: other.shape ?? dataset.imageShape, source: "sample \(partner)"),
                                              annotations: other.annotations)]
        }
        var rng = SeededGenerator(seed: Self.mix(seed, pass, UInt64(index)))
        transforms.apply(&annotated, rng: &rng)
        annotated.mixup = []
        guard annotated.image.shape == sampleShape else {
            throw DataError.mismatch(path: "sample \(index)", reason: "transformed to \(annotated.image.shape), expected \(sampleShape)")
        }
        return (annotated, sample)
    }

    /// The sample mixed into `index` in pass `pass`: PaddleDetection's `(pos + k) % n` with `k`
    /// uniform in `1..<n`, drawn from `mix(mix(seed, pass, index), tag)`; nil when the pass is at
    /// or past `mixupEpoch`, no `MixupImage` is in the transforms, or the data set has one sample.
    func mixupPartner(of index: Int, pass: UInt64) -> Int? {
        let n = dataset.count
        guard mixupEpoch > 0, pass < UInt64(mixupEpoch), n > 1, transforms.contains(where: { $0 is MixupImage }) else { return nil }
        var rng = SeededGenerator(seed: Self.mix(Self.mix(seed, pass, UInt64(index)), 0x313C_5EED, 0))
        return (index + rng.randint(1, n)) % n
    }

    /// A 64-bit hash of three words (SplitMix64 finaliser chained).
    static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        func fmix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return fmix(fmix(fmix(a) ^ b) ^ c)
    }
}
