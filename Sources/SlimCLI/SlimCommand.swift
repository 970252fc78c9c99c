import ArgumentParser

/// The `slim` root command: lists the stages of the compression pipeline.
public struct SlimCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "slim",
        abstract: "Compress neural networks declaratively: train, quantize (QAT/PTQ), freeze, run INT8.",
        discussion: """
        A run is described by two YAML files: a model YAML (PaddleDetection style: architecture, \
        LearningRate, OptimizerBuilder, readers, max_iters) and a slim YAML (strategies + compressor). \
        Stages follow HAT: float -> (calibration | qat) -> int_infer; every stage can be evaluated.

        Exit codes: 0 ok, 64 usage error, 65 bad config or data, 74 a named file cannot be read \
        or written (missing, unreadable, unwritable), 1 other failure.
        """,
        subcommands: [
            TrainCommand.self, CompressCommand.self, FreezeCommand.self, EvalCommand.self,
            InferCommand.self, CalibrateCommand.self, ExportCommand.self, ImportCommand.self, BenchCommand.self,
            ConfigCommand.self, DatasetCommand.self, CalopsCommand.self,
        ]
    )

    public init() {}
}
