import SlimConfig
import SlimTrain

/// What the compressor and its strategies share during a run: the training session (program,
/// weights, optimizer), the readers, where the run stands, and the eval history.
public final class CompressionContext {
    public let session: TrainingSession
    public let train: ReaderSpec
    public let eval: ReaderSpec
    public let model: ModelConfig
    /// The epoch running now (0-based, as in PaddleSlim).
    public var epoch = 0
    /// Batches per epoch (`max_iters`).
    public let itersPerEpoch: Int
    /// Eval results by epoch.
    public var evalHistory: [Int: EvalResult] = [:]
    /// The epoch with the best primary eval value (classification: top-1) so far; the earlier on ties.
    public var bestEpoch: Int?
    public let log: (String) -> Void

    init(session: TrainingSession, train: ReaderSpec, eval: ReaderSpec, model: ModelConfig, itersPerEpoch: Int, log: @escaping (String) -> Void) {
        self.session = session
        self.train = train
        self.eval = eval
        self.model = model
        self.itersPerEpoch = itersPerEpoch
        self.log = log
    }

    /// Records an eval result of the current epoch and updates the best epoch.
    func recordEval(_ result: EvalResult) {
        evalHistory[epoch] = result
        if let best = bestEpoch, let b = evalHistory[best], !result.isBetter(than: b) { return }
        bestEpoch = epoch
    }

    /// For a detector measured with VOC mAP, what PaddleDetection's `slim/quantization/compress.py`
    /// logs after the current epoch's evaluation: `mAP(0.50, 11point) = 12.34` and
    /// `Best test box ap: 23.45` (the best mAP so far, percent); nil for other models or no result.
    func detectionLines() -> String? {
        guard session.interface.metric == .voc, session.metricKind ?? .voc == .voc,
              let map = evalHistory[epoch]?["map"], let best = bestEpoch.flatMap({ evalHistory[$0]?["map"] }) else { return nil }
        return session.mapType.line(map: map) + "\n" + "Best test box ap: \(String(format: "%.2f", 100 * best))\n"
    }
}
