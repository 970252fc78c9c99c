import SlimConfig
import SlimGraph
import SlimTensor

/// PaddleSlim 1.x's DistillationStrategy: at the beginning of `start_epoch` the distillers'
/// losses (`DistillationGraph`) are added to the student's loss and the teacher
/// (`TeacherModel`: `teacher_model_dir`, or `teacher_model_config` + `teacher_weights`) runs
/// forward on every training batch's image; at the end of epoch `end_epoch - 1` the student's
/// own program comes back and training goes on without the teacher (Paddle 1.6 restores its
/// train graph there).
///
/// The teacher is frozen by construction: its own executor in eval mode, its own scope, never
/// differentiated, no optimizer state. Checkpoints, eval models and the frozen float/INT8 models
/// hold only student vars (the teacher's feature maps are non-persistable feeds).
public final class DistillationStrategy: Strategy {
    public let name: String
    public let config: DistillationStrategyConfig
    private(set) var merged = false
    private var loadedTeacher: TeacherModel?

    public init(name: String, config: DistillationStrategyConfig) {
        self.name = name
        self.config = config
    }

    /// Checks the teacher and every feature map name (and shape) before the first batch, even
    /// when `start_epoch` is later.
    public func onCompressionBegin(_ context: CompressionContext) throws {
        guard context.epoch < config.endEpoch, !merged else { return }
        let (configs, vars) = try distillers(context)
        _ = try DistillationGraph(distillers: configs, loss: context.session.interface.loss, teacherVars: vars).apply(to: context.session.program)
    }

    public func onEpochBegin(_ context: CompressionContext) throws {
        guard context.epoch == config.startEpoch, !merged else { return }
        try merge(context)
        context.log("\(name): distilling from \(try teacher(context).source) (\(config.distillers.map(\.name).joined(separator: ", "))) until the end of epoch \(config.endEpoch - 1)\n")
    }

    public func onEpochEnd(_ context: CompressionContext) throws {
        guard context.epoch == config.endEpoch - 1, merged else { return }
        try unmerge(context)
        context.log("\(name): distillation ended; training the student alone\n")
    }

    public var fingerprint: String {
        let distillers = config.distillers.map { "\($0.name): \($0.kind.rawValue)" }.joined(separator: ", ")
        return "DistillationStrategy(distillers [\(distillers)], start_epoch \(config.startEpoch), end_epoch \(config.endEpoch))"
    }

    public func record() -> [String: String] { ["merged": String(merged)] }

    /// A checkpoint of epoch `end_epoch - 1` was written before the losses came out: it resumes without them.
    public func restore(_ record: [String: String], context: CompressionContext) throws {
        if record["merged"] == "true" && context.epoch + 1 < config.endEpoch && !merged { try merge(context) }
    }

    /// The teacher, loaded on first use: `teacher_model_dir`, or `teacher_model_config` built for
    /// the student's pictures (the train reader's `image_shape`) with `teacher_weights`.
    public func teacher(_ context: CompressionContext) throws -> TeacherModel {
        if let loadedTeacher { return loadedTeacher }
        let t: TeacherModel
        if let yaml = config.teacherModelConfig {
            t = try TeacherModel(modelConfig: yaml, weights: config.teacherWeights ?? "", imageShape: context.train.imageShape) { [name] in
                context.log("\(name): teacher: " + $0)
            }
        } else {
            t = try TeacherModel(directory: config.teacherModelDir)
        }
        loadedTeacher = t
        return t
    }

    /// The distillers with their teacher names spelled `teacher_<name>`, and those vars' declarations.
    func distillers(_ context: CompressionContext) throws -> (configs: [DistillerConfig], teacherVars: [String: VarDesc]) {
        let t = try teacher(context)
        var vars: [String: VarDesc] = [:]
        func canonical(_ name: String, _ d: DistillerConfig, _ key: String) throws -> String {
            let v = try t.variable(name, distiller: d.name, key: key)
            vars[TeacherModel.prefix + v.name] = v
            return TeacherModel.prefix + v.name
        }
        let configs = try config.distillers.map { d -> DistillerConfig in
            var c = d
            if d.kind == .fsp {
                c.teacherPairs = try d.teacherPairs.map { try $0.map { try canonical($0, d, "teacher_pairs") } }
            } else {
                c.teacherFeatureMap = try canonical(d.teacherFeatureMap, d, "teacher_feature_map")
            }
            return c
        }
        return (configs, vars)
    }

    private func merge(_ context: CompressionContext) throws {
        let session = context.session
        let (configs, vars) = try distillers(context)
        let graph = DistillationGraph(distillers: configs, loss: session.interface.loss, teacherVars: vars)
        try session.setProgram(try graph.apply(to: session.program))
        let teacher = try teacher(context), image = session.interface.image
        let wanted = vars.values.map(\.name).sorted()
        session.extraFeeds = { feeds in
            guard let x = feeds[image] else { throw GraphError("distillation: the batch has no image feed '\(image)' for the teacher") }
            return try teacher.features(image: x, vars: wanted)
        }
        merged = true
    }

    private func unmerge(_ context: CompressionContext) throws {
        let session = context.session
        try session.setProgram(DistillationGraph.remove(from: session.program, loss: session.interface.loss))
        session.extraFeeds = nil
        merged = false
    }
}
