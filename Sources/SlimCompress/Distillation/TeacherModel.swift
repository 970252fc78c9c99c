import SlimConfig
import SlimGraph
import SlimTensor

/// The teacher of a distillation: a model directory (as `slim eval --model_path` reads it) run
/// forward only, in eval mode (batch norms on their running statistics, no dropout), in its own
/// executor and scope. It is never differentiated and the optimizer never sees it: its feature
/// maps enter the student's program as feeds named `teacher_<name>` (PaddleSlim's merge prefix),
/// so no teacher name can clash with a student's, and nothing of it is saved with the student.
public final class TeacherModel {
    /// The prefix of the teacher's vars in the student's program and in the distillers.
    public static let prefix = "teacher_"

    public let directory: String
    public let program: Program
    let scope: Scope
    let executor: Executor
    /// The teacher's image feed (its only inference feed), fed the student's image.
    public let feed: String

    /// - Throws: `ModelFileError` for unreadable model files; `GraphError` when the model does not
    ///   take exactly one feed.
    public init(directory: String) throws {
        self.directory = directory
        let (program, params) = try ModelFile.load(from: directory, modelName: nil, paramsName: nil)
        guard program.feeds.count == 1, let feed = program.feeds.first else {
            throw GraphError("teacher model \(directory) takes \(program.feeds.count) feeds (\(program.feeds.joined(separator: ", "))), expected one image feed",
                             hints: ["teacher_model_dir names an inference model: a slim train output such as output/model/best"])
        }
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
        throw GraphError("distiller '\(distiller)': \(key) '\(name)' is not a feature map of the teacher \(directory)",
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
