import Foundation
import SlimGraph

/// `slim train`'s `<save_dir>/<name>/best`: the model of the best eval result so far, with that
/// result recorded next to it in `best/eval.json`, so that a run into an existing folder replaces
/// an earlier run's best only with a better model.
///
/// The earlier best's result is the record when it was measured on the same eval data (same
/// sample count, shape and first sample), else it is measured now on this run's eval reader
/// (and recorded). A `best/` that cannot be measured (another input shape, not a model) is
/// never overwritten unless the run was started with `overwrite`.
public struct BestModel {
    /// The recorded result, `best/eval.json`.
    public struct Record: Codable, Equatable {
        public var result: EvalResult
        /// The epoch of the run that saved it.
        public var epoch: Int
        /// What it was measured on (`BestModel.evalData`).
        public var evalData: String

        enum CodingKeys: String, CodingKey {
            case result, epoch
            case evalData = "eval_data"
        }
    }

    public static let recordName = "eval.json"

    public let directory: String
    /// The best result so far and its epoch in this run (nil: an earlier run's).
    public private(set) var result: EvalResult?
    public private(set) var epoch: Int?
    let evalData: String

    var recordPath: String { (directory as NSString).appendingPathComponent(Self.recordName) }

    /// The best model of `directory`, measured on `eval` if needed; empty when `overwrite`, when
    /// the folder does not exist or holds no model files.
    /// - Throws: `ModelFileError` `.mismatch` naming `directory` when it holds model files that
    ///   cannot be evaluated on `eval`.
    public init(directory: String, eval: ReaderSpec, image: String, overwrite: Bool, log: (String) -> Void) throws {
        self.directory = directory
        evalData = Self.evalData(eval)
        guard !overwrite, Self.holdsModelFiles(directory) else { return }
        if let record = try? JSONDecoder().decode(Record.self, from: Data(contentsOf: URL(fileURLWithPath: recordPath))),
           record.evalData == evalData {
            result = record.result
        } else {
            let measured = try measure(eval, image: image)
            result = measured
            try write(Record(result: measured, epoch: 0, evalData: evalData))
        }
        log("\(directory) holds an earlier run's best, \(result.map { "\($0)" } ?? ""): only a better epoch replaces it (--overwrite: any)\n")
    }

    /// Whether `candidate` beats the best so far by the value `metric` names (`top1`, `top5`,
    /// `loss`: lower is better; nil: the result's primary value).
    public func isImproved(by candidate: EvalResult, metric: String?) -> Bool {
        guard let result else { return true }
        return candidate.isBetter(than: result, by: metric)
    }

    /// Makes `candidate` of `epoch` the best: `save` writes the model files, then the record.
    /// The old record is removed first, so a record never describes another model.
    public mutating func replace(with candidate: EvalResult, epoch: Int, save: () throws -> Void) throws {
        if MPIWorld.isRoot, FileManager.default.fileExists(atPath: recordPath) {
            do {
                try FileManager.default.removeItem(atPath: recordPath)
            } catch {
                throw DataError.writeFailed(path: recordPath, reason: error.localizedDescription)
            }
        }
        try save()
        try write(Record(result: candidate, epoch: epoch, evalData: evalData))
        result = candidate
        self.epoch = epoch
    }

    /// What an eval result was measured on: sample count, shape and first sample of the reader.
    static func evalData(_ reader: ReaderSpec) -> String {
        "\(reader.dataset.count) samples \(reader.imageShape) from \(reader.dataset.count > 0 ? reader.dataset.sampleName(0) : "-")"
    }

    static func holdsModelFiles(_ directory: String) -> Bool {
        let names = [ModelFile.evalNames.model, ModelFile.evalNames.params, ModelFile.frozenNames.model, ModelFile.frozenNames.params]
        return names.contains { FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0)) }
    }

    private func measure(_ eval: ReaderSpec, image: String) throws -> EvalResult {
        do {
            let (program, params) = try ModelFile.load(from: directory, modelName: nil, paramsName: nil)
            return try Evaluator(executor: try Executor(program: program), image: image).evaluate(eval, scope: Scope(params))
        } catch {
            throw ModelFileError(.mismatch, path: directory, "exists and cannot be evaluated on this run's eval data: \(error)",
                                 expected: "the best model of an earlier `slim train` of this model, to keep unless this run beats it",
                                 hints: ["pass --overwrite to replace it, or choose another save_dir"])
        }
    }

    /// Writes `best/eval.json` (under `mpirun`: rank 0).
    private func write(_ record: Record) throws {
        guard MPIWorld.isRoot else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try ImageCodec.atomicWrite([UInt8](try encoder.encode(record)), to: recordPath)
    }
}
