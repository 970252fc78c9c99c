import Foundation
import SlimTensor

/// The outcome of evaluating a model on a data set: named numbers in reporting order, one of
/// them primary (what picks the best epoch), and the sample count.
///
/// Classification reports `loss` (mean cross-entropy per sample), `top1` (primary) and `top5`
/// accuracy in [0, 1]. The JSON form (`--output_eval`, checkpoints' `context.json`, `best/eval.json`)
/// is an object of the values by name plus `samples`; `primary` is written only when it is not
/// `top1`, and `names` (the reporting order) only when it is not alphabetical, so a
/// classification result reads `{"loss", "samples", "top1", "top5"}` as it always has.
public struct EvalResult: Codable, Equatable, Sendable, CustomStringConvertible {
    /// One named number of a result.
    public struct Value: Equatable, Sendable {
        public var name: String
        public var value: Double

        public init(_ name: String, _ value: Double) {
            self.name = name
            self.value = value
        }
    }

    /// The primary value of a classification result.
    public static let classificationPrimary = "top1"

    /// The values in reporting order.
    public var values: [Value]
    /// The name of the primary value.
    public var primaryName: String
    /// Number of samples evaluated.
    public var samples: Int

    /// - Precondition: `primary` names one of `values`, and the names are distinct.
    public init(values: [Value], primary: String, samples: Int) {
        precondition(values.contains { $0.name == primary }, "the primary value '\(primary)' is not among the values")
        precondition(Set(values.map(\.name)).count == values.count && !values.contains { $0.name == "samples" }, "value names must be distinct")
        self.values = values
        self.primaryName = primary
        self.samples = samples
    }

    /// A classification result: `loss`, `top1` (primary), `top5`.
    public init(loss: Double, top1: Double, top5: Double, samples: Int) {
        self.init(values: [Value("loss", loss), Value("top1", top1), Value("top5", top5)], primary: Self.classificationPrimary, samples: samples)
    }

    /// The value named `name`, if the result has one.
    public subscript(name: String) -> Double? { values.first { $0.name == name }?.value }

    /// The primary value (classification: top-1 accuracy).
    public var primary: Double { self[primaryName] ?? 0 }

    /// Whether the value `name` (default: the primary) of `self` is better than `other`'s:
    /// lower for `loss`, higher for anything else. A value `other` lacks is an improvement.
    public func isBetter(than other: EvalResult, by name: String? = nil) -> Bool {
        let name = name ?? primaryName
        guard let mine = self[name] else { return false }
        guard let theirs = other[name] else { return true }
        return name == "loss" ? mine < theirs : mine > theirs
    }

    /// Classification's mean loss per sample (0 when the result has none).
    public var loss: Double { self["loss"] ?? 0 }
    /// Classification's top-1 accuracy (0 when the result has none).
    public var top1: Double { self["top1"] ?? 0 }
    /// Classification's top-5 accuracy (0 when the result has none).
    public var top5: Double { self["top5"] ?? 0 }

    /// E.g. `loss 0.3121  top1 0.8870  top5 0.9972  (10000 samples)`.
    public var description: String {
        (values.map { "\($0.name) \(format4($0.value))" } + ["(\(samples) samples)"]).joined(separator: "  ")
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.init(stringValue) }
        init?(intValue: Int) { nil }
    }

    private static let reserved: Set = ["samples", "primary", "names"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        samples = try c.decode(Int.self, forKey: Key("samples"))
        primaryName = try c.decodeIfPresent(String.self, forKey: Key("primary")) ?? Self.classificationPrimary
        let names = try c.decodeIfPresent([String].self, forKey: Key("names"))
            ?? c.allKeys.map(\.stringValue).filter { !Self.reserved.contains($0) }.sorted()
        values = try names.map { Value($0, try c.decode(Double.self, forKey: Key($0))) }
        guard values.contains(where: { $0.name == primaryName }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "no value '\(primaryName)' (the primary)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for v in values { try c.encode(v.value, forKey: Key(v.name)) }
        try c.encode(samples, forKey: Key("samples"))
        if primaryName != Self.classificationPrimary { try c.encode(primaryName, forKey: Key("primary")) }
        let names = values.map(\.name)
        if names != names.sorted() { try c.encode(names, forKey: Key("names")) }
    }
}

/// Accumulates a classification `EvalResult` batch by batch.
public struct EvalAccumulator: Sendable {
    private var loss = RunningMean()
    private var top1 = 0
    private var top5 = 0
    private var samples = 0

    public init() {}

    /// Adds one batch: its mean loss, `[N, C]` scores and `[N, 1]` s32 labels.
    public mutating func add(meanLoss: Double, scores: Tensor, labels: Tensor) {
        let n = scores.shape[0]
        loss.add(meanLoss, weight: Double(n))
        top1 += TopKAccuracy.correct(scores: scores, labels: labels, k: 1)
        top5 += TopKAccuracy.correct(scores: scores, labels: labels, k: min(5, scores.shape[1]))
        samples += n
    }

    public var result: EvalResult {
        let n = Double(max(samples, 1))
        return EvalResult(loss: loss.mean, top1: Double(top1) / n, top5: Double(top5) / n, samples: samples)
    }
}

/// `x` with four decimals.
func format4(_ x: Double) -> String {
    String(format: "%.4f", x)
}
