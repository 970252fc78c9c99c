import ArgumentParser
import SlimTrain

/// `slim train`: HAT's float stage.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the FP32 baseline a compression starts from (HAT's float stage).",
        discussion: """
        Trains `architecture` for `epoch` epochs of `max_iters` batches (default: one pass over the \
        train reader), evaluates on the eval reader after each epoch, and keeps \
        <save_dir>/<yaml name>/last and .../best (by `metric`, top1 by default) as model \
        directories (__model__ + __params__) for `slim eval`, `slim compress` (pretrain_weights) \
        and `slim infer`. best/eval.json records best's eval result.

        Training again into an existing <save_dir>/<yaml name> keeps the better model: an earlier \
        run's best is replaced only by an epoch that beats its recorded result (measured again \
        on the eval reader when the eval data changed); --overwrite replaces it anyway. last is \
        always this run's.

        With `snapshot_iter: N` it also saves <save_dir>/<yaml name>/<step> every N steps \
        (counted over the whole run) and <save_dir>/<yaml name>/model_final at the end, as \
        PaddleDetection's tools/train.py does; a PaddleDetection 0.1 YAML's `weights` \
        (output/<name>/model_final) then names the trained model for eval and infer.

        Example:
          slim train -c examples/lenet_fashion_mnist/model.yml -o epoch=2
        """
    )

    @OptionGroup var model: ModelOptions

    @OptionGroup var log: LogOptions

    @Flag(help: "Replace an existing <save_dir>/<yaml name>/best by this run's best even when that is worse.")
    var overwrite = false

    func run() throws {
        log.apply()
        let config = try model.load()
        try reportingErrors {
            let trainer = try FloatTrainer(config: config, datasetDir: model.d, log: printFlushed)
            trainer.overwrite = overwrite
            printFlushed("training \(try config.string("architecture") ?? "?"): \(trainer.epochs) epochs x \(trainer.itersPerEpoch) batches of \(trainer.train.batchSize)\(MPIWorld.launchedRanks().map { " x \($0.size) ranks" } ?? ""), \(trainer.train.dataset.count) train / \(trainer.eval.dataset.count) eval images\n")
            try trainer.run()
        }
    }
}
