import SlimQuant
import SlimTensor
import XCTest

/// Scalar references for the INT8 engine's ops (plain loops, Double arithmetic).
enum Int8Reference {
    /// Integer convolution: x [N,C,H,W], w [O,C/g,KH,KW], symmetric padding, dilation 1.
    static func conv(_ x: [Int], _ xs: [Int], _ w: [Int], _ ws: [Int], stride: Int, pad: Int, groups: Int) -> (acc: [Int], shape: [Int]) {
        let (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3]), (o, cg, kh, kw) = (ws[0], ws[1], ws[2], ws[3])
        let oh = (h + 2 * pad - kh) / stride + 1, ow = (wd + 2 * pad - kw) / stride + 1
        var acc = [Int](repeating: 0, count: n * o * oh * ow)
        let og = o / groups
        for b in 0..<n { for oc in 0..<o { for y in 0..<oh { for xx in 0..<ow {
            var s = 0
            for ic in 0..<cg { for ky in 0..<kh { for kx in 0..<kw {
                let iy = y * stride - pad + ky, ix = xx * stride - pad + kx
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                let ch = (oc / og) * cg + ic
                s += x[((b * c + ch) * h + iy) * wd + ix] * w[((oc * cg + ic) * kh + ky) * kw + kx]
            } } }
            acc[((b * o + oc) * oh + y) * ow + xx] = s
        } } } }
        _ = c
        return (acc, [n, o, oh, ow])
    }

    /// Integer matrix product a [M,K] x b [K,N].
    static func matmul(_ a: [Int], _ b: [Int], m: Int, k: Int, n: Int) -> [Int] {
        var out = [Int](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for t in 0..<k { out[i * n + j] += a[i * k + t] * b[t * n + j] } } }
        return out
    }

    /// The epilogue on accumulators (channel = index / inner % channels), before rounding.
    static func epilogue(_ acc: [Int], bias: [Float]?, _ e: Int8Epilogue, channels: Int, inner: Int) -> [Double] {
        acc.enumerated().map { i, a in
            let c = (i / inner) % channels
            let s = Double(e.outputScales.count == 1 ? e.outputScales[0] : e.outputScales[c])
            var v = s * (Double(a) + Double(bias?[c] ?? 0))
            switch e.activation {
            case .none: break
            case .relu: v = max(v, 0)
            case let .clip(lo, hi): v = min(max(v, Double(lo)), Double(hi))
            case let .leakyRelu(alpha): v = v > 0 ? v : Double(alpha) * v
            case let .leakyReluClip(alpha, lo, hi): v = min(max(v > 0 ? v : Double(alpha) * v, Double(lo)), Double(hi))
            case .hardSwish: v = v * min(max(v + 3, 0), 6) / 6
            case let .hardSwishRequantized(f, lo, hi): v = min(max(Double(f) * v * min(max(v + 3, 0), 6) / 6, Double(lo)), Double(hi))
            case let .hardSigmoid(slope, offset, hi): v = min(max(Double(slope) * v + Double(offset), 0), Double(hi))
            }
            return v
        }
    }

    /// Compares an op output with reference values: f32 to a relative 1e-5; integers exactly,
    /// except where the reference sits within 1e-3 of a rounding tie (f32 vs Double arithmetic).
    static func assertMatches(_ y: Tensor, _ ref: [Double], file: StaticString = #filePath, line: UInt = #line) {
        let got = y.asFloats.map(Double.init)
        XCTAssertEqual(got.count, ref.count, file: file, line: line)
        for (i, (g, r)) in zip(got, ref).enumerated() {
            if y.dtype == .f32 {
                guard abs(g - r) > 1e-5 * max(1, abs(r)) else { continue }
            } else {
                let tie = abs(abs(r - r.rounded(.down)) - 0.5) < 1e-3
                guard g != r.rounded(.toNearestOrAwayFromZero), !(tie && abs(g - r) <= 0.51) else { continue }
            }
            XCTFail("element \(i): \(g) vs reference \(r)", file: file, line: line)
            return
        }
    }

    /// Seeded integers in `range`.
    static func integers(_ count: Int, _ range: ClosedRange<Int>, seed: UInt64) -> [Int] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Int.random(in: range, using: &g) }
    }
}
