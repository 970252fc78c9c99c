import Foundation

extension Kernels {
    /// The positive and negative parts of an s8 activation, as the u8 input of an exact int8
    /// convolution on CPUs without VNNI: x [N, C, H, W] s8 in `groups` groups -> [N, 2C, H, W] u8,
    /// per group its channels' `max(x, 0)`, then their `max(-x, 0)` (-128 gives 128). Held
    /// channels-last when `x` is (an int8 convolution's output), so neither side is reordered;
    /// else plain row-major.
    public static func signedParts(_ x: Tensor, groups: Int) -> Tensor {
        precondition(x.dtype == .s8 && x.shape.count == 4 && x.shape[1] % groups == 0, "signedParts takes s8 [N, C, H, W] in whole groups, got \(x.dtype)\(x.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let perGroup = c / groups, shape = [n, 2 * c, h, w]
        let (source, channelsLast) = x.channelsLastOrPlain()
        let out = Tensor(uninitializedShape: shape, dtype: .u8, layout: channelsLast ? channelsLastLayout(shape, .u8) : nil)
        let src = UnsafePointer<Int8>(source.buffer.pointer.assumingMemoryBound(to: Int8.self))
        let dst = out.buffer.pointer.assumingMemoryBound(to: UInt8.self)
        // Recorded with its buffers (`PrimitiveRecording.host`): a replayed run splits again.
        PrimitiveRecording.host(reading: [source.buffer], writing: [out.buffer]) {
            if channelsLast {
                // Per pixel: C values in, 2C out, group by group.
                for pixel in 0..<(n * h * w) {
                    for g in 0..<groups {
                        splitSigned(src + pixel * c + g * perGroup, dst + pixel * 2 * c + g * 2 * perGroup, count: perGroup, negative: perGroup)
                    }
                }
            } else {
                // Per image and group: perGroup planes in, then their positive planes and their negative ones.
                let plane = h * w
                for image in 0..<n {
                    for g in 0..<groups {
                        splitSigned(src + (image * c + g * perGroup) * plane, dst + (image * 2 * c + g * 2 * perGroup) * plane,
                                    count: perGroup * plane, negative: perGroup * plane)
                    }
                }
            }
        }
        return out
    }

    /// An s8 tensor as u8 `v + 128`, or a u8 one as s8 `v - 128`: each byte's sign bit flipped,
    /// held in the same layout. The first is the input of an int8 convolution with source zero
    /// point 128 (exact for depthwise ones on every CPU, `int8ShiftIsExact`).
    public static func signBitFlipped(_ x: Tensor) -> Tensor {
        precondition(x.dtype == .s8 || x.dtype == .u8, "signBitFlipped takes s8 or u8, got \(x.dtype)")
        return x.mapElements(UInt8.self, to: x.dtype == .s8 ? .u8 : .s8, as: UInt8.self) { src, dst in
            var i = 0
            let bit = SIMD16<UInt8>(repeating: 0x80)
            while i + 16 <= src.count {
                let v = UnsafeRawPointer(src.baseAddress! + i).loadUnaligned(as: SIMD16<UInt8>.self)
                UnsafeMutableRawPointer(dst.baseAddress! + i).storeBytes(of: v ^ bit, as: SIMD16<UInt8>.self)
                i += 16
            }
            while i < src.count { dst[i] = src[i] ^ 0x80; i += 1 }
        }
    }

    /// `count` s8 values from `from` to their positive parts at `to` and their negative parts at
    /// `to + negative` (u8; -128 gives 128), 16 at a time; the last vector of 16 (or 8) ends at
    /// `count`, overlapping the one before it (the same values written twice) instead of a
    /// byte-by-byte remainder.
    @inline(__always)
    private static func splitSigned(_ from: UnsafePointer<Int8>, _ to: UnsafeMutablePointer<UInt8>, count: Int, negative: Int) {
        if count >= 16 {
            var i = 0
            while true {
                split16(from + i, to + i, negative: negative)
                if i + 16 == count { break }
                i = min(i + 16, count - 16)
            }
        } else if count >= 8 {
            split8(from, to, negative: negative)
            split8(from + count - 8, to + count - 8, negative: negative)
        } else {
            for i in 0..<count {
                let v = from[i]
                to[i] = v > 0 ? UInt8(bitPattern: v) : 0
                to[negative + i] = v < 0 ? UInt8(bitPattern: 0 &- v) : 0
            }
        }
    }

    @inline(__always)
    private static func split16(_ from: UnsafePointer<Int8>, _ to: UnsafeMutablePointer<UInt8>, negative: Int) {
        let v = UnsafeRawPointer(from).loadUnaligned(as: SIMD16<Int8>.self)
        let zero = SIMD16<Int8>(repeating: 0)
        let positive = v.replacing(with: zero, where: v .< zero)
        let negated = (zero &- v).replacing(with: zero, where: v .>= zero)   // -(-128) wraps to the bits of 128
        UnsafeMutableRawPointer(to).storeBytes(of: positive, as: SIMD16<Int8>.self)
        UnsafeMutableRawPointer(to + negative).storeBytes(of: negated, as: SIMD16<Int8>.self)
    }

    @inline(__always)
    private static func split8(_ from: UnsafePointer<Int8>, _ to: UnsafeMutablePointer<UInt8>, negative: Int) {
        let v = UnsafeRawPointer(from).loadUnaligned(as: SIMD8<Int8>.self)
        let zero = SIMD8<Int8>(repeating: 0)
        let positive = v.replacing(with: zero, where: v .< zero)
        let negated = (zero &- v).replacing(with: zero, where: v .>= zero)
        UnsafeMutableRawPointer(to).storeBytes(of: positive, as: SIMD8<Int8>.self)
        UnsafeMutableRawPointer(to + negative).storeBytes(of: negated, as: SIMD8<Int8>.self)
    }
}
