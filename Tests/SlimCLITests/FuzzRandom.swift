/// SplitMix64: the fuzz cases' only source of randomness, so a seed always gives the same cases
/// (independent of the library's generators, which may change).
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Uniform in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// One element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// `count` distinct elements of `items`, in the order drawn.
    mutating func pick<T>(_ count: Int, of items: [T]) -> [T] {
        var pool = items, out: [T] = []
        for _ in 0..<min(count, pool.count) { out.append(pool.remove(at: below(pool.count))) }
        return out
    }
}
