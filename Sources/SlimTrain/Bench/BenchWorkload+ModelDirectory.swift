import SlimGraph
import SlimQuant
import SlimTensor

extension BenchWorkload {
    /// Eval-mode forward of a saved model directory's fetches on seeded synthetic images.
    ///
    /// The image feed is the feed named `image`, else the first feed of rank 4; a detector's
    /// `im_size` feed, when the program has one, gets the image's height and width. The precision is
    /// the model's own: int8 when any var is stored as s8/u8 (a `ConvertToInt8Pass` model, run
    /// through `Int8LoweringPass` on the integer kernels), else fp32 (a frozen float model's
    /// fake-quant ops run as they are); `--dtype` must agree with it.
    static func modelDirectory(_ path: String, _ configuration: BenchConfiguration) throws -> BenchWorkload {
        Int8Ops.register()
        let (program, params) = try ModelFile.load(from: path, modelName: nil, paramsName: nil)
        let stored: BenchConfiguration.Precision = program.vars.contains { $0.dtype == .s8 || $0.dtype == .u8 } ? .int8 : .fp32
        if let asked = configuration.precision, asked != stored {
            throw BenchError(.usage, "--dtype \(asked.rawValue) does not match the model in \(path), which is \(stored.rawValue)",
                             hints: ["drop --dtype to benchmark the model as it is stored"])
        }
        guard let imageVar = program.variable("image").flatMap({ $0.shape.count == 4 ? $0 : nil })
            ?? program.feeds.compactMap(program.variable).first(where: { $0.shape.count == 4 }) else {
            throw BenchError(.usage, "the model in \(path) has no image feed of shape [N, C, H, W]",
                             hints: ["its feeds are \(program.feeds)"])
        }
        guard !program.fetches.isEmpty else {
            throw BenchError(.usage, "the model in \(path) has no fetch to compute")
        }
        if imageVar.shape[0] != -1 && imageVar.shape[0] != configuration.batch {
            throw BenchError(.usage, "the model in \(path) takes batches of \(imageVar.shape[0]), not \(configuration.batch)",
                             hints: ["use --batch \(imageVar.shape[0])"])
        }
        let images = BenchBatches.synthetic(batch: configuration.batch, shape: Array(imageVar.shape.dropFirst()),
                                            classes: 1, seed: configuration.seed).images
        var feeds = [imageVar.name: images]
        if program.feeds.contains("im_size") {
            let side = Array(images.shape.suffix(2))
            feeds["im_size"] = Tensor(shape: [configuration.batch, 2], dtype: .s32,
                                      integers: Array(repeating: side, count: configuration.batch).flatMap { $0 })
        }
        // The fetches the fed vars compute (a training program's loss needs labels).
        let outputs = program.fetches.filter { (try? program.pruned(feeds: Array(feeds.keys), fetches: [$0])) != nil }
        guard !outputs.isEmpty else {
            throw BenchError(.usage, "no fetch of the model in \(path) is computed from its image feed alone",
                             hints: ["its fetches are \(program.fetches)"])
        }
        if stored == .int8 {
            return try lowered(program, params, feeds: feeds, outputs: outputs, configuration)
        }
        let executor = try Executor(program: program, seed: configuration.seed)
        executor.replaysInference = true
        let scope = Scope(params)
        return BenchWorkload(precision: stored, executor: executor) {
            try executor.run(feeds: feeds, scope: scope, mode: .eval, fetches: outputs)
        }
    }
}
