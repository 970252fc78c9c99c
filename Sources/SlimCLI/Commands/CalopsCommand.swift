import ArgumentParser
import Foundation
import SlimConfig
import SlimGraph
import SlimTrain

/// `slim calops`: per-layer multiply-adds, parameters and output shapes (Horizon HAT's calops).
struct CalopsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calops",
        abstract: "Count a model's FLOPs (multiply-adds) and parameters, per layer.",
        discussion: """
        Builds the model of the model YAML (its inference part, a batch of one, the EvalReader's \
        image_shape) and prints, for each op with multiply-adds or parameters, its output, output \
        shape, multiply-adds and parameters, then the totals. Multiply-adds count convolutions \
        (Cout * Hout * Wout * Cin/groups * kh * kw) and fc layers (K * N); parameters count the \
        elements of the persistables each op reads. With --model_path, the shapes are those of that \
        saved model (e.g. a pruned one: a checkpoint's eval_model or a frozen float/).

        Examples:
          slim calops -c examples/lenet_fashion_mnist/model.yml
          slim calops -c model.yml --model_path checkpoints/9/eval_model
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var modelDir: ModelDirOptions
    @OptionGroup var log: LogOptions

    func run() throws {
        log.apply()
        let config = try model.load()
        try reportingErrors {
            let program: Program
            if let path = modelDir.modelPath {
                program = try modelDir.load(path).program
            } else {
                let reader = try ReaderSpec(config, reader: .eval, datasetDir: model.d)
                let built = try ModelFactory.make(config, imageShape: reader.imageShape)
                program = try built.program.pruned(feeds: built.interface.inferenceFeeds, fetches: built.interface.outputVars)
            }
            printFlushed(Self.table(FlopsCounter(program: program)))
        }
    }

    /// The table: one line per layer, then the totals.
    static func table(_ counter: FlopsCounter) -> String {
        let layers = counter.layers()
        let rows = layers.map { l in
            [String(l.index), l.type, l.output, "[" + l.outputShape.map(String.init).joined(separator: ", ") + "]", String(l.flops), String(l.params)]
        }
        let header = ["#", "op", "output", "output shape", "FLOPs", "params"]
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, s in
                c >= 4 || c == 0 ? String(repeating: " ", count: widths[c] - s.count) + s : s + String(repeating: " ", count: widths[c] - s.count)
            }.joined(separator: "  ") + "\n"
        }
        let flops = counter.totalFlops, params = layers.reduce(0) { $0 + $1.params }
        return line(header) + String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)) + "\n" + rows.map(line).joined()
            + "Total FLOPs (multiply-adds): \(flops) (\(String(format: "%.3f", Double(flops) / 1e6)) M)\n"
            + "Total params: \(params) (\(String(format: "%.3f", Double(params) / 1e6)) M)\n"
    }
}
