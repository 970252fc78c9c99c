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
///     strategies.json                    each strategy's record and configuration fingerprint
///
/// A checkpoint is written into a hidden folder and put in place as one unit (`DirectoryUnit`:
/// renamed, or exchanged with the previous folder of that epoch, then the parent is fsynced), so
/// a folder named by an epoch number is always complete. Only folders that are slim checkpoints
/// (a readable `context.json`) are ever replaced; any other folder named by an epoch is refused
/// before training starts, untouched. Restoring takes the newest checkpoint that loads, warning
/// about (and skipping) any newer one that does not.
public struct Checkpointer {
    public let root: String

    public init(root: String) { self.root = root }

    public func directory(epoch: Int) -> String { (root as NSString).appendingPathComponent(String(epoch)) }

    /// Whether `dir` is a checkpoint slim wrote (its `context.json` reads as one).
    public func isCheckpoint(_ dir: String) -> Bool {
        let path = (dir as NSString).appendingPathComponent("context.json")
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return (try? JSONDecoder().decode(ContextRecord.self, from: data)) != nil
    }

    /// Throws when a folder of `epochs` exists and is not a slim checkpoint: saving that epoch
    /// would have to replace what slim did not write. Checked before the first batch.
    func checkReplaceable(epochs: Range<Int>) throws {
        for epoch in epochs {
            let dir = directory(epoch: epoch)
            guard FileManager.default.fileExists(atPath: dir), !isCheckpoint(dir) else { continue }
            throw CheckpointError(path: dir, "exists and is not a slim checkpoint (no readable context.json); slim will not "
                                  + "replace it: move it away or choose another compressor.checkpoint_path")
        }
    }

    /// Removes the hidden folders (`.<epoch>.tmp-*`, `.tmp-*`) that a killed save left in `root`
    /// (under `mpirun`: rank 0, the one that writes).
    func removeStaleTemporaries() {
        guard MPIWorld.isRoot else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for name in names where name.hasPrefix(".tmp-") || (name.hasPrefix(".") && name.contains(".tmp-")) {
            try? FileManager.default.removeItem(atPath: (root as NSString).appendingPathComponent(name))
        }
    }

    /// Saves the state at the end of `context.epoch`. Under `mpirun` rank 0 writes (every rank
    /// holds the same state) and the ranks wait for each other until the checkpoint is in place.
    func save(context: CompressionContext, loader: LoaderState, strategies: [any Strategy]) throws {
        let final = directory(epoch: context.epoch)
        if MPIWorld.isRoot {
            try DirectoryUnit.write(final, replaceable: { isCheckpoint($0) ? nil : "it is not a slim checkpoint" }) { temp in
                try write(context: context, loader: loader, strategies: strategies, into: temp)
                Self.testHook("checkpoint-written-\(context.epoch)")
            }
        }
        try MPIWorld.shared()?.barrier("checkpoint \(final)")
    }

    private func write(context: CompressionContext, loader: LoaderState, strategies: [any Strategy], into temp: String) throws {
        let session = context.session
        let eval = try session.inferenceModel()
        try ModelFile.save(program: eval.program, params: eval.params,
                           to: (temp as NSString).appendingPathComponent("eval_model"))
        var state = session.program
        for (name, t) in session.optimizerState { state.declare(VarDesc(name: name, shape: t.shape, dtype: t.dtype, persistable: true)) }
        let all = session.scope.tensors.filter { state.variable($0.key)?.persistable == true }.merging(session.optimizerState) { a, _ in a }
        try ModelFile.save(program: state, params: all, to: (temp as NSString).appendingPathComponent("model"))
        let record = ContextRecord(epoch: context.epoch, step: session.step,
                                   evalHistory: Dictionary(uniqueKeysWithValues: context.evalHistory.map { (String($0.key), $0.value) }),
                                   bestEpoch: context.bestEpoch, generator: session.generator, loader: loader)
        try writeJSON(record, to: (temp as NSString).appendingPathComponent("context.json"))
        let strategyRecords = Dictionary(uniqueKeysWithValues: strategies.map { s in
            (s.name, s.record().merging([Self.fingerprintKey: s.fingerprint]) { _, new in new })
        })
        try writeJSON(strategyRecords, to: (temp as NSString).appendingPathComponent("strategies.json"))
    }

    /// The key of a strategy's configuration fingerprint in its `strategies.json` record.
    static let fingerprintKey = "config"

    /// Stops the process at a named point when `SLIM_TEST_KILL_AT` names it (the kill tests'
    /// stand-in for a crash: `_exit`, no clean-up, no buffered output). Points:
    /// `checkpoint-written-<epoch>` (files of a checkpoint written, not yet in place) and
    /// `checkpoint-saved-<epoch>` (in place, before the strategies' epoch end, e.g. the freeze).
    /// Under `mpirun`, `SLIM_TEST_KILL_RANK` (when set) limits the stop to that rank, and
    /// `SLIM_TEST_HANG_AT` makes that rank sleep forever there instead (a hung rank).
    static func testHook(_ point: String) {
        let environment = ProcessInfo.processInfo.environment
        if let rank = environment["SLIM_TEST_KILL_RANK"], Int(rank) != MPIWorld.rank { return }
        if environment["SLIM_TEST_HANG_AT"] == point {
            while true { sleep(1000) }
        }
        guard let wanted = environment["SLIM_TEST_KILL_AT"], wanted == point else { return }
        _exit(137)
    }

    /// Epoch numbers of the checkpoint folders, newest first.
    func epochs() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.compactMap { name in Int(name).flatMap { $0 >= 0 && String($0) == name ? $0 : nil } }.sorted(by: >)
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
        let dir = directory(epoch: loaded.context.epoch)
        for s in strategies {
            guard let record = loaded.strategies[s.name] else {
                let known = loaded.strategies.keys.sorted()
                throw CheckpointError(path: dir, "it has no record of strategy '\(s.name)' (it has \(known.isEmpty ? "none" : known.joined(separator: ", "))): "
                                      + "was the strategy renamed or added? Restore the slim YAML it was written with, or choose another checkpoint_path")
            }
            if let stored = record[Self.fingerprintKey], stored != s.fingerprint {
                throw CheckpointError(path: dir, "strategy '\(s.name)' was \(stored) when it was written and is \(s.fingerprint) now: "
                                      + "restore the slim YAML it was written with, or choose another checkpoint_path")
            }
            try s.restore(record, context: context)
        }
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
