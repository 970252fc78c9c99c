/// A compression strategy, PaddleSlim 1.x style: hooks the compressor calls around the
/// compression, each epoch and each batch. Strategies change the context's program and state
/// (e.g. insert fake-quant ops, freeze and save models).
///
/// Program changes must be deterministic functions of the config and the epoch, so a resumed
/// run can replay them (`restore`) before loading the checkpointed state.
public protocol Strategy: AnyObject {
    /// The strategy's name in the slim YAML.
    var name: String { get }
    /// Whether the compressor must train for this strategy (false: post-training quantization).
    var trainsModel: Bool { get }
    func onCompressionBegin(_ context: CompressionContext) throws
    func onEpochBegin(_ context: CompressionContext) throws
    func onBatchBegin(_ context: CompressionContext) throws
    func onBatchEnd(_ context: CompressionContext) throws
    func onEpochEnd(_ context: CompressionContext) throws
    func onCompressionEnd(_ context: CompressionContext) throws
    /// The strategy's state for `strategies.json`.
    func record() -> [String: String]
    /// The configuration the checkpointed program depends on (class, quantize types, bits), in
    /// words; a checkpoint written under another fingerprint is not restored.
    var fingerprint: String { get }
    /// Replays the program changes of every epoch up to and including `record`'s epoch of a
    /// checkpoint, from the state `record()` wrote, before its parameters are loaded.
    func restore(_ record: [String: String], context: CompressionContext) throws
    /// Called before the model directory `path` (`init_model` or `pretrain_weights`) loads into a
    /// fresh run, e.g. to rebuild the shapes of a pruned model so its values load.
    func onInitModel(path: String, context: CompressionContext) throws
}

extension Strategy {
    public var trainsModel: Bool { true }
    public func onCompressionBegin(_ context: CompressionContext) throws {}
    public func onEpochBegin(_ context: CompressionContext) throws {}
    public func onBatchBegin(_ context: CompressionContext) throws {}
    public func onBatchEnd(_ context: CompressionContext) throws {}
    public func onEpochEnd(_ context: CompressionContext) throws {}
    public func onCompressionEnd(_ context: CompressionContext) throws {}
    public func record() -> [String: String] { [:] }
    public func restore(_ record: [String: String], context: CompressionContext) throws {}
    public func onInitModel(path: String, context: CompressionContext) throws {}
}
