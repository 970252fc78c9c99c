import Foundation

/// The one source of randomness in slim: xoshiro256** seeded through SplitMix64.
///
/// Its state is a value (`state`) so checkpoints can save and restore it exactly.
public struct SeededGenerator: RandomNumberGenerator, Codable, Equatable, Sendable {
    public var state: [UInt64]

    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = [splitMix(), splitMix(), splitMix(), splitMix()]
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

    /// A uniform float in [0, 1).
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// A standard normal sample (Box-Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(nextUnitFloat(), Float.leastNormalMagnitude)
        let u2 = nextUnitFloat()
        return (-2 * logf(u1)).squareRoot() * cosf(2 * Float.pi * u2)
    }

    /// An independent generator derived from this one (for a worker thread), advancing this one.
    public mutating func split() -> SeededGenerator {
        SeededGenerator(seed: next())
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
