import Foundation
import SlimGraph
import SlimTensor
import SlimTrain

/// Writes and restores `<checkpoint_path>/<epoch>/` (docs/ARCHITECTURE.md section 7):
///
///     eval_model/__model__, __params__   the current (e.g. QAT) graph, image -> probabilities
///     model/__model__, __params__        every persistable: weights, statistics, quantization
///                                        state, and the optimizer state (declared as vars)
///     context.json                       epoch, step, eval history, best, generator, loader
///     strategies.json                    each strategy's record
///
/// A checkpoint is written into a temporary folder and renamed into place, so a folder named by
/// an epoch number is always complete; restoring takes the newest one that loads, warning about
/// (and skipping) any newer one that does not.
public struct Checkpointer {
    public let root: String

    public init(root: String) { self.root = root }

    public func directory(epoch: Int) -> String { (root as NSString).appendingPathComponent(String(epoch)) }

    /// Saves the state at the end of `context.epoch`.
    func save(context: CompressionContext, loader: LoaderState, strategies: [any Strategy]) throws {
        let fm = FileManager.default
        let final = directory(epoch: context.epoch)
        let temp = (root as NSString).appendingPathComponent(".tmp-\(context.epoch)-\(getpid())")
        try? fm.removeItem(atPath: temp)
        try fm.createDirectory(atPath: temp, withIntermediateDirectories: true)
        let session = context.session
        let eval = try session.program.pruned(feeds: [session.image], fetches: [session.head.output])
        try ModelFile.save(program: eval, params: session.scope.tensors.filter { eval.variable($0.key)?.persistable == true },
                           to: (temp as NSString).appendingPathComponent("eval_model"))
        var state = session.program
        for (name, t) in session.optimizerState { state.declare(VarDesc(name: name, shape: t.shape, dtype: t.dtype, persistable: true)) }
        let all = session.scope.tensors.filter { state.variable($0.key)?.persistable == true }.merging(session.optimizerState) { a, _ in a }
        try ModelFile.save(program: state, params: all, to: (temp as NSString).appendingPathComponent("model"))
        let record = ContextRecord(epoch: context.epoch, step: session.step,
                                   evalHistory: Dictionary(uniqueKeysWithValues: context.evalHistory.map { (String($0.key), $0.value) }),
                                   bestEpoch: context.bestEpoch, generator: session.generator, loader: loader)
        try writeJSON(record, to: (temp as NSString).appendingPathComponent("context.json"))
        let strategyRecords = Dictionary(uniqueKeysWithValues: strategies.map { ($0.name, $0.record()) })
        try writeJSON(strategyRecords, to: (temp as NSString).appendingPathComponent("strategies.json"))
        if fm.fileExists(atPath: final) { try fm.removeItem(atPath: final) }
        try fm.moveItem(atPath: temp, toPath: final)
    }

    /// Epoch numbers of the checkpoint folders, newest first.
    func epochs() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.compactMap { Int($0) }.filter { $0 >= 0 }.sorted(by: >)
    }

    /// Restores the newest checkpoint that loads into `context`; nil when there is none.
    func restoreLatest(into context: CompressionContext, strategies: [any Strategy]) throws -> (epoch: Int, loader: LoaderState)? {
        for epoch in epochs() {
            let dir = directory(epoch: epoch)
            let loaded: Loaded
            do {
                loaded = try load(dir)
            } catch {
                context.log("warning: skipping checkpoint \(dir): \(error)\n")
                continue
            }
            guard loaded.context.epoch == epoch else {
                context.log("warning: skipping checkpoint \(dir): its context.json is for epoch \(loaded.context.epoch)\n")
                continue
            }
            try apply(loaded, to: context, strategies: strategies)
            return (epoch, loaded.context.loader)
        }
        return nil
    }

    struct Loaded {
        var context: ContextRecord
        var strategies: [String: [String: String]]
        var params: [String: Tensor]
    }

    /// Reads and validates one checkpoint folder without changing anything.
    func load(_ dir: String) throws -> Loaded {
        let record: ContextRecord = try readJSON((dir as NSString).appendingPathComponent("context.json"))
        guard record.formatVersion == ContextRecord.currentVersion else {
            throw CheckpointError(path: dir, "context.json has format version \(record.formatVersion), expected \(ContextRecord.currentVersion)")
        }
        let strategies: [String: [String: String]] = try readJSON((dir as NSString).appendingPathComponent("strategies.json"))
        let (_, params) = try ModelFile.load(from: (dir as NSString).appendingPathComponent("model"))
        _ = try ModelFile.load(from: (dir as NSString).appendingPathComponent("eval_model"))
        return Loaded(context: record, strategies: strategies, params: params)
    }

    private func apply(_ loaded: Loaded, to context: CompressionContext, strategies: [any Strategy]) throws {
        context.epoch = loaded.context.epoch
        for s in strategies { try s.restore(loaded.strategies[s.name] ?? [:], context: context) }
        let session = context.session
        for v in session.program.persistables {
            guard let t = loaded.params[v.name] else {
                throw CheckpointError(path: directory(epoch: loaded.context.epoch), "it has no value for '\(v.name)' (was the model YAML's architecture changed?)")
            }
            guard t.shape == session.scope.tensors[v.name]?.shape ?? t.shape, t.dtype == v.dtype else {
                throw CheckpointError(path: directory(epoch: loaded.context.epoch), "'\(v.name)' is \(t.dtype)\(t.shape), the model has \(v.dtype)\(v.shape)")
            }
            session.scope.tensors[v.name] = t
        }
        let program = Set(session.program.persistables.map(\.name))
        session.optimizerState = loaded.params.filter { !program.contains($0.key) }
        session.step = loaded.context.step
        session.generator = loaded.context.generator
        context.evalHistory = Dictionary(uniqueKeysWithValues: loaded.context.evalHistory.compactMap { k, v in Int(k).map { ($0, v) } })
        context.bestEpoch = loaded.context.bestEpoch
    }

    private func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private func readJSON<T: Decodable>(_ path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError(path: path, "file is missing or unreadable") }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw CheckpointError(path: path, "not a valid \(T.self) JSON file (\(error))")
        }
    }
}
