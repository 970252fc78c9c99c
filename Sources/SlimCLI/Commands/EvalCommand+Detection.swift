import Foundation
import SlimConfig
import SlimGraph
import SlimTensor
import SlimTrain

extension EvalCommand {
    /// Evaluates a detector as PaddleDetection's `tools/eval.py` does: prints
    /// `mAP(0.50, 11point) = 12.34` (percent) and slim's summary line; `--output_eval` adds
    /// `bbox_map` (the printed percentage) and `map_type` to the result's JSON, and
    /// `--output_predictions` writes every detection (`DetectionPrediction` list).
    func evaluateDetector(_ reader: ReaderSpec, executor: Executor, params: [String: Tensor], modelPath: String,
                          config: ModelConfig) throws {
        let evaluation = try DetectionEvaluation(executor: executor, mapType: try Self.mapType(config))
        let classNames = reader.dataset.classNames
        let (result, predictions, runs) = try evaluation.evaluate(reader, scope: Scope(params), keepPredictions: outputPredictions != nil,
                                                                  classNames: classNames)
        if let outputPredictions {
            try OutputFile.write(try DetectionPrediction.json(predictions), to: outputPredictions, option: "--output_predictions")
        }
        let percent = 100 * (result["map"] ?? 0)
        printFlushed(evaluation.mapType.line(map: result["map"] ?? 0) + "\n")
        printFlushed("\(modelPath): \(result)\n")
        if let world = try MPIWorld.shared() {
            printFlushed("rank \(world.rank) of \(world.size) ran the model on \(runs) of \(Evaluator.batchCount(reader)) batches\n")
        }
        if let outputEval {
            try OutputFile.write(try Self.detectionJSON(result, bboxMap: percent, mapType: evaluation.mapType),
                                 to: outputEval, option: "--output_eval")
        }
    }

    /// The YAML's `map_type` (`11point`, the default, or `integral`).
    /// - Throws: `ConfigError` at the value for anything else.
    static func mapType(_ config: ModelConfig) throws -> VOCMeanAP.MapType {
        try VOCMeanAP.MapType.configured(in: config)
    }

    /// The result's JSON (`EvalResult`'s keys) plus `bbox_map` and `map_type`, pretty-printed with sorted keys.
    static func detectionJSON(_ result: EvalResult, bboxMap: Double, mapType: VOCMeanAP.MapType) throws -> Data {
        let encoded = try JSONEncoder().encode(result)
        guard var object = try JSONSerialization.jsonObject(with: encoded) as? [String: Any] else {
            throw DataError.invalidConfiguration("an eval result did not encode as a JSON object")
        }
        object["bbox_map"] = bboxMap
        object["map_type"] = mapType.rawValue
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}
