/// A view of another data set restricted to chosen indices (e.g. the first N samples).
public struct SubsetDataset<Base: Dataset>: Dataset {
    public let base: Base
    public let indices: [Int]

    /// - Precondition: every index is inside `base` (a programmer error otherwise).
    public init(_ base: Base, indices: [Int]) {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < base.count }, "subset index out of range")
        self.base = base
        self.indices = indices
    }

    /// The first `n` samples (all of them when `n >= base.count`).
    public init(_ base: Base, prefix n: Int) {
        self.init(base, indices: Array(0..<min(max(n, 0), base.count)))
    }

    public var count: Int { indices.count }
    public var imageShape: [Int] { base.imageShape }
    public var classNames: [String]? { base.classNames }
    public var annotatesBoxes: Bool { base.annotatesBoxes }

    public func sample(_ i: Int) throws -> Sample { try base.sample(indices[i]) }
    public func sampleName(_ i: Int) -> String { base.sampleName(indices[i]) }
}
