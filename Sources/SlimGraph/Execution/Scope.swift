import SlimTensor

/// Named tensors that outlive a run: persistable vars (weights, statistics, quantization and
/// optimizer state). Intermediates live only in the executor's run.
public final class Scope: @unchecked Sendable {
    public var tensors: [String: Tensor]

    public init(_ tensors: [String: Tensor] = [:]) { self.tensors = tensors }

    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set { tensors[name] = newValue }
    }
}
