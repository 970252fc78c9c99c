import Foundation
import SlimTensor

/// Paddle's `FLAGS_check_nan_inf` for slim: with `SLIM_CHECK_NAN_INF=1` in the environment, every
/// f32 value an op writes (forward) and every gradient it passes back (backward) is scanned, and
/// the first NaN or infinity stops the run with the op, its index and the var named. Off by
/// default: the scan reads every tensor once more.
public enum NonFiniteCheck {
    /// Whether the check runs (read once from the environment).
    public static let enabled: Bool = {
        guard let v = ProcessInfo.processInfo.environment["SLIM_CHECK_NAN_INF"] else { return false }
        return !["", "0", "false"].contains(v.lowercased())
    }()

    /// Throws if `value` (of var `name`, written by op #`index` of type `type`; the backward pass
    /// knows no index) holds a NaN or an infinity; other dtypes are not checked.
    static func check(_ value: Tensor, name: String, op type: String, index: Int? = nil, pass: String) throws {
        guard value.dtype == .f32 else { return }
        let bad: (at: Int, value: Float)? = value.withUnsafeFloats { xs in
            for (i, x) in xs.enumerated() where !x.isFinite { return (i, x) }
            return nil
        }
        guard let bad else { return }
        throw GraphError("op \(index.map { "#\($0) " } ?? "")'\(type)' (\(pass)) wrote \(bad.value) to '\(name)' at element \(bad.at) of shape \(value.shape)",
                         hints: ["SLIM_CHECK_NAN_INF=1 stops at the first op that writes a NaN or an infinity"])
    }
}
