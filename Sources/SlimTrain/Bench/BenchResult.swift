/// What `slim bench` measured for one configuration.
public struct BenchResult: Equatable, Sendable {
    /// `lenet`, `mbv1`, `resnet20` or the model directory's path.
    public var model: String
    public var mode: BenchConfiguration.Mode
    public var precision: BenchConfiguration.Precision
    public var batch: Int
    public var threads: Int
    public var data: BenchConfiguration.DataSource
    public var warmup: Int
    /// Wall-clock milliseconds of each timed step, in order.
    public var stepMilliseconds: [Double]
    /// Peak resident set size of the process (MiB) after the last step.
    public var peakRSSMB: Double
    /// The detector's image side; nil for the classifiers.
    public var imageSize: Int?
    /// The detector's width multiplier.
    public var scale: Double = 1
    /// The per-op profile of the timed steps (`--profile`), a table for a person.
    public var profile: String?
    /// Of the timed infer steps, those replayed (`Executor.replaysInference`) and, of those, the
    /// ones replayed in lanes (the batch cut in one slice per thread); nil for other modes.
    public var replayedSteps: Int?
    public var laneSteps = 0

    public init(model: String, mode: BenchConfiguration.Mode, precision: BenchConfiguration.Precision, batch: Int, threads: Int,
                data: BenchConfiguration.DataSource, warmup: Int, stepMilliseconds: [Double], peakRSSMB: Double, imageSize: Int? = nil) {
        self.model = model
        self.mode = mode
        self.precision = precision
        self.batch = batch
        self.threads = threads
        self.data = data
        self.warmup = warmup
        self.stepMilliseconds = stepMilliseconds
        self.peakRSSMB = peakRSSMB
        self.imageSize = imageSize
    }

    /// The median step time: the middle sample, or the mean of the two middle ones.
    public var medianMilliseconds: Double {
        let sorted = stepMilliseconds.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// `batch / median step time`.
    public var imagesPerSecond: Double {
        medianMilliseconds > 0 ? Double(batch) * 1000 / medianMilliseconds : 0
    }

    /// One JSON object with exactly the keys `model, mode, dtype, batch, threads, median_ms,
    /// images_per_s, peak_rss_mb`, in that order, on one line; the detector's adds `image_size`
    /// (and `scale` when it is not 1).
    public var jsonLine: String {
        let fields: [(String, String)] = [
            ("model", Self.quoted(model)), ("mode", Self.quoted(mode.rawValue)), ("dtype", Self.quoted(precision.rawValue)),
            ("batch", String(batch)), ("threads", String(threads)), ("median_ms", Self.number(medianMilliseconds, digits: 4)),
            ("images_per_s", Self.number(imagesPerSecond, digits: 2)), ("peak_rss_mb", Self.number(peakRSSMB, digits: 1)),
        ] + (imageSize.map { [("image_size", String($0))] } ?? []) + (scale == 1 ? [] : [("scale", Self.number(scale, digits: 4))])
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// A few lines for a person.
    public var summary: String {
        let sorted = stepMilliseconds.sorted()
        return """
        slim bench: \(model)\(scale == 1 ? "" : " x\(Self.number(scale, digits: 4))")\(imageSize.map { " \($0)x\($0)" } ?? "") \(mode.rawValue) \(precision.rawValue), batch \(batch), \(threads) thread\(threads == 1 ? "" : "s"), \(data.rawValue) data
          median \(Self.number(medianMilliseconds, digits: 3)) ms per step over \(sorted.count) steps \
        (min \(Self.number(sorted.first ?? 0, digits: 3)), max \(Self.number(sorted.last ?? 0, digits: 3))) after \(warmup) warm-up
          \(Self.number(imagesPerSecond, digits: 1)) images/s
          peak memory \(Self.number(peakRSSMB, digits: 1)) MB (ru_maxrss)\(replayedSteps.map { "\n  replayed \($0) of \(sorted.count) steps" + (laneSteps > 0 ? ", \(laneSteps) in lanes (one slice of the batch per thread)" : "") } ?? "")
        """
    }

    static func number(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// A JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
