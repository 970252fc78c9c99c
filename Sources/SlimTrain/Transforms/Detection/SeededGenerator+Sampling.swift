import Foundation
import SlimTensor

/// The draws PaddleDetection's operators make with NumPy, from slim's seeded generator.
extension SeededGenerator {
    /// Uniform in `[0, 1)` with 53 random bits.
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// `np.random.uniform(low, high)`: uniform in `[low, high)`.
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnitDouble()
    }

    /// `np.random.randint(low, high)`: uniform in `low..<high`; `low` when the range is empty
    /// (where NumPy raises).
    mutating func randint(_ low: Int, _ high: Int) -> Int {
        guard high > low else { return low }
        return low + Int(next() % UInt64(high - low))
    }

    /// `np.random.permutation` / `np.random.shuffle`: a Fisher-Yates shuffle.
    mutating func shuffle<T>(_ items: inout [T]) {
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, Int(next() % UInt64(i + 1)))
        }
    }

    /// `np.random.beta(a, b)`: `X / (X + Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
    mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(a), y = gamma(b)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    /// `Gamma(shape, 1)` by Marsaglia and Tsang (shape < 1 boosted: `Gamma(shape + 1) * U^(1/shape)`).
    mutating func gamma(_ shape: Double) -> Double {
        if shape < 1 { return gamma(shape + 1) * pow(max(nextUnitDouble(), .leastNormalMagnitude), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUnitDouble()
            if u < 1 - 0.0331 * x * x * x * x || log(max(u, .leastNormalMagnitude)) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// A standard normal draw (Box-Muller, double precision).
    mutating func normal() -> Double {
        let u1 = max(nextUnitDouble(), .leastNormalMagnitude), u2 = nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
