import SlimConfig
import SlimGraph
import SlimTensor
import SlimTrain

/// The teacher of a distillation, run forward only, in eval mode (batch norms on their running
/// statistics, no dropout), in its own executor and scope: a model directory (as `slim eval
/// --model_path` reads it), or a model YAML with trained weights, built into the inference model
/// that training would have saved (`ModelFactory.inferenceModel`). It is never differentiated and
/// the optimizer never sees it: its feature maps enter the student's program as feeds named
/// `teacher_<name>` (PaddleSlim's merge prefix), so no teacher name can clash with a student's,
/// and nothing of it is saved with the student.
public final class TeacherModel {
    /// The prefix of the teacher's vars in the student's program and in the distillers.
    public static let prefix = "teacher_"

    /// Where the teacher came from, for messages: its directory, or `<model YAML> with weights <dir>`.
    public let source: String
    public let program: Program
    let scope: Scope
    let executor: Executor
    /// The teacher's image feed (its only inference feed), fed the student's image.
    public let feed: String

    /// The teacher in the model directory `directory` (`teacher_model_dir`).
    /// - Throws: `ModelFileError` for unreadable model files; `GraphError` when the model does not
    ///   take exactly one feed.
    public convenience init(directory: String) throws {
        let (program, params) = try ModelFile.load(from: directory, modelName: nil, paramsName: nil)
        try self.init(program: program, params: params, source: directory,
                      hint: "teacher_model_dir names an inference model: a slim train output such as output/model/best")
    }

    /// The teacher described by the model YAML `modelConfig` (`teacher_model_config`) with the
    /// weights of the model directory `weights` (`teacher_weights`), built for pictures of
    /// `imageShape` (the student's: the teacher sees the student's images).
    /// - Throws: `ConfigError` for the model YAML; `ModelFileError` for the weights (unreadable, or
    ///   not all of the inference model's); `GraphError` when the model does not take exactly one feed.
    public convenience init(modelConfig: String, weights: String, imageShape: [Int], log: (String) -> Void) throws {
        let config = try ModelConfig.load(path: modelConfig)
        let (program, params) = try ModelFactory.inferenceModel(config, imageShape: imageShape, weights: weights, log: log)
        try self.init(program: program, params: params, source: "\(modelConfig) with weights \(weights)",
                      hint: "teacher_model_config names a classifier's model YAML (one image feed)")
    }

    private init(program: Program, params: [String: Tensor], source: String, hint: String) throws {
        guard program.feeds.count == 1, let feed = program.feeds.first else {
            throw GraphError("teacher model \(source) takes \(program.feeds.count) feeds (\(program.feeds.joined(separator: ", "))), expected one image feed",
                             hints: [hint])
        }
        self.source = source
        self.program = program
        self.feed = feed
        scope = Scope(params)
        executor = try Executor(program: program)
        executor.resizableFeeds = [feed]
    }

    /// The teacher's var that a distiller's name refers to: `teacher_<name>` (PaddleSlim's
    /// spelling), or the teacher's own name.
    /// - Throws: `GraphError` naming the distiller, the key and the var, with the nearest names.
    public func variable(_ name: String, distiller: String, key: String) throws -> VarDesc {
        let own = name.hasPrefix(Self.prefix) ? String(name.dropFirst(Self.prefix.count)) : name
        if let v = program.variable(own), !v.persistable { return v }
        if let v = program.variable(name), !v.persistable { return v }
        let candidates = program.vars.filter { !$0.persistable }.map { Self.prefix + $0.name }
        throw GraphError("distiller '\(distiller)': \(key) '\(name)' is not a feature map of the teacher \(source)",
                         hints: (Suggestion.note(for: name, in: candidates).map { [$0] } ?? [])
                             + ["the teacher's feature maps are its ops' outputs, named teacher_<name>; its last ones: "
                                + candidates.suffix(6).joined(separator: ", ")])
    }

    /// The teacher's feature maps `vars` (teacher names) for `image`, keyed `teacher_<name>`.
    public func features(image: Tensor, vars: [String]) throws -> [String: Tensor] {
        let fetched = try executor.run(feeds: [feed: image], scope: scope, mode: .eval, fetches: vars)
        return Dictionary(uniqueKeysWithValues: fetched.map { (Self.prefix + $0.key, $0.value) })
    }

    /// The teacher's weights and statistics (tests: they never change).
    public var parameters: [String: Tensor] { scope.tensors }
}
