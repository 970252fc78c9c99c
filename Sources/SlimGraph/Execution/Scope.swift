import Foundation
import SlimTensor

/// Named tensors that outlive a run: persistable vars (weights, statistics, quantization and
/// optimizer state). Intermediates live only in the executor's run.
public final class Scope: @unchecked Sendable {
    public var tensors: [String: Tensor] {
        didSet { version &+= 1 }
    }
    /// This scope among every scope of the process (never reused, unlike its address).
    let identity: Int
    /// Counts the changes of `tensors`: while it and `identity` are unchanged, an index of
    /// `tensors` taken earlier is still valid (an executor's run reads the scope through them).
    private(set) var version = 0

    public init(_ tensors: [String: Tensor] = [:]) {
        self.tensors = tensors
        identity = Scope.nextIdentity()
    }

    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set { tensors[name] = newValue }
    }

    private static let identities = NSLock()
    nonisolated(unsafe) private static var lastIdentity = 0

    private static func nextIdentity() -> Int {
        identities.lock(); defer { identities.unlock() }
        lastIdentity += 1
        return lastIdentity
    }
}
