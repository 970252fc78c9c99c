import SlimTrain

/// The first `count` samples of a data set.
struct PrefixDataset: Dataset {
    let base: any Dataset
    let count: Int

    init(base: any Dataset, count: Int) {
        self.base = base
        self.count = min(count, base.count)
    }

    var imageShape: [Int] { base.imageShape }
    var classNames: [String]? { base.classNames }
    var annotatesBoxes: Bool { base.annotatesBoxes }
    func sample(_ i: Int) throws -> Sample { try base.sample(i) }
    func sampleName(_ i: Int) -> String { base.sampleName(i) }
}
