import SlimTensor

/// One synthetic detection picture: Fashion-MNIST items pasted on a noisy background.
///
/// Each item's 28x28 gray picture is scaled (bilinear) to a random square side; its pixels at
/// or above `inkThreshold` are its ink, painted in a random bright colour with the gray value as
/// opacity (`out = bg + (colour - bg) * v / 255`); pixels below it are not painted. The object's
/// box is the tight box of the ink: 0-based, inclusive pixel columns and rows
/// `(xmin, ymin, xmax, ymax)`. Boxes of one picture never overlap and keep `gap` pixels apart.
struct FashionVOCScene: Sendable {
    /// One pasted item: its Fashion-MNIST label and ink box.
    struct Item: Equatable, Sendable {
        var label: Int
        var xmin: Int, ymin: Int, xmax: Int, ymax: Int
    }

    /// Gray values below this are background (not painted, not in the box).
    static let inkThreshold: UInt8 = 16
    /// Least distance in pixels between two boxes.
    static let gap = 2

    var side: Int
    /// RGB, interleaved, `side * side * 3` bytes.
    var pixels: [UInt8]
    var items: [Item]

    /// A scene drawn from `source` with `rng`: `objects` items tried (an item that finds no free
    /// place after 40 tries is left out; the first always fits), sides uniform in `sizes`.
    init(side: Int, source: IDXDataset, objects: Int, sizes: ClosedRange<Int>, rng: inout SeededGenerator) {
        precondition(side >= sizes.upperBound && sizes.lowerBound >= 28, "canvas \(side) cannot hold items of \(sizes)")
        self.side = side
        pixels = Self.background(side: side, rng: &rng)
        items = []
        for _ in 0..<objects {
            let index = Self.uniform(source.count, &rng)
            let size = sizes.lowerBound + Self.uniform(sizes.count, &rng)
            let colour = (0..<3).map { _ in UInt8(140 + Self.uniform(116, &rng)) }
            let ink = Self.scaledInk(source, index, size: size)
            guard let box = ink.box else { continue }
            for _ in 0..<40 {
                let x = Self.uniform(side - size + 1, &rng), y = Self.uniform(side - size + 1, &rng)
                let item = Item(label: Int(source.labels.payloadByte(index)), xmin: x + box.x0, ymin: y + box.y0,
                                xmax: x + box.x1, ymax: y + box.y1)
                if items.contains(where: { Self.near($0, item) }) { continue }
                paint(ink.gray, size: size, at: (x, y), colour: colour)
                items.append(item)
                break
            }
        }
    }

    /// A uniform integer in `0..<n` (modulo of 64 random bits: the bias is below 2^-50 here).
    static func uniform(_ n: Int, _ rng: inout SeededGenerator) -> Int {
        Int(rng.next() % UInt64(n))
    }

    /// A dark random colour with per-pixel noise of -7...+8 in each channel.
    private static func background(side: Int, rng: inout SeededGenerator) -> [UInt8] {
        let base = (0..<3).map { _ in 8 + uniform(56, &rng) }
        var out = [UInt8](repeating: 0, count: side * side * 3)
        // Per-pixel noise from a xorshift64 stream seeded by `rng` (one scalar state: cheap).
        var bits = rng.next() | 1
        out.withUnsafeMutableBufferPointer { buffer in
            for p in 0..<(side * side) {
                bits ^= bits << 13
                bits ^= bits >> 7
                bits ^= bits << 17
                buffer[3 * p] = UInt8(base[0] + Int(bits & 0xF) - 7)
                buffer[3 * p + 1] = UInt8(base[1] + Int((bits >> 8) & 0xF) - 7)
                buffer[3 * p + 2] = UInt8(base[2] + Int((bits >> 16) & 0xF) - 7)
            }
        }
        return out
    }

    /// Item `index` scaled to `size` x `size`, and the tight box of its ink (nil when it has none).
    static func scaledInk(_ source: IDXDataset, _ index: Int, size: Int)
        -> (gray: [UInt8], box: (x0: Int, y0: Int, x1: Int, y1: Int)?) {
        let rows = source.images.dims[1], cols = source.images.dims[2]
        let cell = DecodedImage(width: cols, height: rows, channels: 1,
                                pixels: Array(source.images.payload(from: index * rows * cols, count: rows * cols)))
        let gray = cell.resized(to: ImageSize(size)).pixels
        var box: (x0: Int, y0: Int, x1: Int, y1: Int)?
        for y in 0..<size {
            for x in 0..<size where gray[y * size + x] >= inkThreshold {
                box = box.map { (min($0.x0, x), min($0.y0, y), max($0.x1, x), max($0.y1, y)) } ?? (x, y, x, y)
            }
        }
        return (gray, box)
    }

    private static func near(_ a: Item, _ b: Item) -> Bool {
        a.xmin <= b.xmax + gap && b.xmin <= a.xmax + gap && a.ymin <= b.ymax + gap && b.ymin <= a.ymax + gap
    }

    private mutating func paint(_ gray: [UInt8], size: Int, at origin: (x: Int, y: Int), colour: [UInt8]) {
        let side = side, threshold = Int(Self.inkThreshold)
        let ink = (Int(colour[0]), Int(colour[1]), Int(colour[2]))
        pixels.withUnsafeMutableBufferPointer { out in
            gray.withUnsafeBufferPointer { gray in
                for y in 0..<size {
                    for x in 0..<size {
                        let v = Int(gray[y * size + x])
                        if v < threshold { continue }
                        let p = ((origin.y + y) * side + origin.x + x) * 3
                        out[p] = UInt8(Int(out[p]) + ((ink.0 - Int(out[p])) * v + 127) / 255)
                        out[p + 1] = UInt8(Int(out[p + 1]) + ((ink.1 - Int(out[p + 1])) * v + 127) / 255)
                        out[p + 2] = UInt8(Int(out[p + 2]) + ((ink.2 - Int(out[p + 2])) * v + 127) / 255)
                    }
                }
            }
        }
    }
}
