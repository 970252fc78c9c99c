import Foundation
import SlimGraph

/// Measured pruning sensitivities: for each conv filter (a channel group's key) the pruning
/// ratios tried and the relative eval-metric loss at each, `(base - pruned) / base`.
///
/// Saved as JSON (`sensitivities_file`; PaddleSlim 1.x pickles the same table):
///
///     {"conv2_1_sep_weights": {"ratios": [0.1, 0.2, ...], "losses": [0.001, 0.004, ...]}, ...}
public struct Sensitivities: Codable, Equatable, Sendable {
    public struct Curve: Codable, Equatable, Sendable {
        public var ratios: [Double]
        public var losses: [Double]

        /// The largest ratio whose loss, linearly interpolated between the measured points (and
        /// `(0, 0)`), stays at most `threshold`; never beyond the last measured ratio.
        public func ratio(atLoss threshold: Double) -> Double {
            var (r0, l0) = (0.0, 0.0)
            for (r1, l1) in zip(ratios, losses) {
                if l1 > threshold {
                    return l0 >= threshold || l1 == l0 ? r0 : r0 + (threshold - l0) / (l1 - l0) * (r1 - r0)
                }
                (r0, l0) = (r1, l1)
            }
            return r0
        }
    }

    public var curves: [String: Curve]

    public init(curves: [String: Curve] = [:]) { self.curves = curves }

    public init(from decoder: Decoder) throws { curves = try [String: Curve](from: decoder) }
    public func encode(to encoder: Encoder) throws { try curves.encode(to: encoder) }

    /// The ratios measured with step `delta`: delta, 2 delta, ... below 1.
    public static func ratios(delta: Double) -> [Double] {
        var result: [Double] = []
        var k = 1
        while Double(k) * delta < 1 - 1e-9 {
            result.append((Double(k) * delta * 1e6).rounded() / 1e6)
            k += 1
        }
        return result
    }

    /// Reads `path`; nil when it does not exist.
    /// - Throws: `CheckpointError` when it exists and is not a sensitivities JSON (slim then
    ///   does not overwrite it).
    public static func read(_ path: String) throws -> Sensitivities? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError(path: path, "is unreadable") }
        do {
            return try JSONDecoder().decode(Sensitivities.self, from: data)
        } catch {
            throw CheckpointError(path: path, "is not a sensitivities JSON file ({\"<param>\": {\"ratios\": [...], \"losses\": [...]}}): "
                                  + "slim will not overwrite it; move it away or choose another sensitivities_file")
        }
    }

    /// Writes `path` atomically.
    public func write(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CheckpointError(path: path, "cannot be written (\(error.localizedDescription))")
        }
    }
}
