import XCTest
@testable import SlimTensor

/// INT8 conv/matmul against an exact integer reference (s32 accumulation, f32 scale/bias/post-ops,
/// round half to even, saturate), and quantize/dequantize.
///
/// Data stay inside the range oneDNN computes exactly on every x86 ISA (see `conv2dInt8`): u8
/// activations in [0, 127] with any s8 weights; s8 activations with even weights (conv) or weights
/// in [-64, 63] (matmul).
final class Int8KernelTests: XCTestCase {
    var rng = SeededGenerator(seed: 61)

    func integers(_ shape: [Int], _ dtype: DType, _ range: ClosedRange<Int>, even: Bool = false) -> Tensor {
        let span = UInt64(range.count)
        return Tensor(shape: shape, dtype: dtype, integers: (0..<shape.reduce(1, *)).map { _ in
            let v = range.lowerBound + Int(rng.next() % span)
            return even ? v & ~1 : v
        })
    }

    /// What oneDNN does after accumulation: v = scale * (acc + bias), post-ops, round to even, saturate.
    static func finish(_ acc: Int32, bias: Float, scale: Float, postOps: [PostOp], residual: Float) -> Float {
        var v = (Float(acc) + bias) * scale
        for op in postOps {
            switch op {
            case .eltwise(.relu): v = max(v, 0)
            case .eltwise(.relu6): v = min(max(v, 0), 6)
            case let .eltwise(.clip(lo, hi)): v = min(max(v, lo), hi)
            case let .sum(s): v += s * residual
            default: XCTFail("reference lacks \(op)")
            }
        }
        return v
    }

    static func convert(_ v: Float, to dtype: DType) -> Float {
        switch dtype {
        case .f32: return v
        case .u8: return min(max(v.rounded(.toNearestOrEven), 0), 255)
        case .s8: return min(max(v.rounded(.toNearestOrEven), -128), 127)
        case .s32: return min(max(v.rounded(.toNearestOrEven), -2_147_483_648), 2_147_483_520)
        }
    }

    /// Exact match, except integer outputs may be one off where v sits on a rounding tie (the JIT's
    /// float operation order differs from the reference's in the last bit).
    func assertMatches(_ got: Tensor, _ v: [Float], _ dtype: DType, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.dtype, dtype, what, file: file, line: line)
        let values = got.asFloats
        var bad = 0
        for (g, r) in zip(values, v) {
            let want = Self.convert(r, to: dtype)
            if dtype == .f32 {
                if abs(g - want) > 1e-5 * max(1, abs(want)) { bad += 1 }
            } else if g != want {
                let nearTie = abs(abs(r - r.rounded(.down)) - 0.5) < 1e-3 * max(1, abs(r))
                if !(nearTie && abs(g - want) == 1) { bad += 1 }
            }
        }
        XCTAssertEqual(values.count, v.count, what, file: file, line: line)
        XCTAssertEqual(bad, 0, "\(what): \(bad) of \(v.count) outputs differ", file: file, line: line)
    }

    struct Variant { let source: DType; let output: DType; let perChannel: Bool; let postOps: [PostOp] }

    static let variants: [Variant] = [
        Variant(source: .u8, output: .u8, perChannel: true, postOps: [.relu]),
        Variant(source: .u8, output: .s8, perChannel: false, postOps: []),
        Variant(source: .s8, output: .s32, perChannel: true, postOps: []),
        Variant(source: .s8, output: .f32, perChannel: true, postOps: [.clip(lo: -20, hi: 30)]),
        Variant(source: .u8, output: .u8, perChannel: true, postOps: [.sum(scale: 0.75), .relu]),   // residual block
        Variant(source: .u8, output: .f32, perChannel: false, postOps: [.relu6]),
    ]

    func scales(_ perChannel: Bool, _ count: Int, maxAcc: Float, target: Float) -> [Float] {
        let base = target / max(maxAcc, 1)
        return (0..<(perChannel ? count : 1)).map { _ in base * (0.5 + rng.nextUnitFloat()) }
    }
}
