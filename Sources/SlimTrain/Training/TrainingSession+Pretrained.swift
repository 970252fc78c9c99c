import SlimGraph
import SlimTensor

extension TrainingSession {
    /// Vars listed by name in a message before "and N more".
    static let listedVars = 8

    /// Loads the model directory `path` (`pretrain_weights`, `init_model`) into the session: every
    /// persistable whose name, shape and dtype match (`load(params:)`), and the 1-channel filters
    /// of convolutions of the picture spread over its channels (`loadGrayFilters`). Logs how many were
    /// loaded and, when not all, a warning listing those that keep their random initial values. A
    /// persistable only the training part reads (YOLOv3's fixed `gt_box_to_cxcywh`) is not in an
    /// inference model such as `model_final` or `best`; it keeps the builder's value silently.
    /// - Returns: the names loaded (adapted filters included).
    /// - Throws: `ModelFileError` when `path` is not a readable model directory, and `.mismatch`
    ///   when none of the program's persistables matches (another model: training would silently
    ///   start from random weights).
    @discardableResult
    public func loadPretrained(from path: String, log: (String) -> Void) throws -> [String] {
        let (_, params) = try ModelFile.load(from: path, modelName: nil, paramsName: nil)
        let loaded = load(params: params)
        let expected = program.persistables
        guard !loaded.isEmpty || expected.isEmpty else {
            let found = params.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.dtype)\($0.value.shape)" }
            throw ModelFileError(.mismatch, path: path, "nothing matched: none of the model's \(expected.count) persistable vars is in it",
                                 expected: "weights of this architecture and num_classes: "
                                     + Self.listed(expected.map { "\($0.name) \($0.dtype)\($0.shape)" }),
                                 hints: ["found: " + (found.isEmpty ? "no vars" : Self.listed(found))])
        }
        let adapted = loadGrayFilters(params)
        log("loaded \(loaded.count + adapted.count) of \(expected.count) persistable vars from \(path)\n")
        for name in adapted {
            let channels = scope.tensors[name]?.shape[1] ?? 0
            log("\(name): the file's 1-channel filter spread over the picture's \(channels) channels (1/\(channels) each)\n")
        }
        let done = Set(loaded + adapted)
        let inference = Set(try inferenceModel().program.persistables.map(\.name))
        let missed = expected.filter { !done.contains($0.name) && (inference.contains($0.name) || params[$0.name] != nil) }.map { v -> String in
            guard let found = params[v.name] else { return "\(v.name) (not in \(path))" }
            return "\(v.name) (\(v.dtype)\(v.shape) in the model, \(found.dtype)\(found.shape) in \(path))"
        }
        if !missed.isEmpty {
            log("warning: \(missed.count) persistable vars keep their random initial values: \(Self.listed(missed))\n")
        }
        return loaded + adapted
    }

    /// The first `listedVars` items joined, then "and N more".
    static func listed(_ items: [String]) -> String {
        let head = items.prefix(listedVars).joined(separator: ", ")
        return items.count > listedVars ? "\(head) and \(items.count - listedVars) more" : head
    }
}
