import SlimConfig

extension ReaderSpec {
    /// The per-image transforms of a reader section of `config` (`TrainReader` & co.: its
    /// `transforms`; a PaddleDetection feed class: its `sample_transforms`, else the class's
    /// default chain). For readers that take a section's transforms without
    /// its data set (inference).
    /// - Throws: `ConfigError` at a transform that cannot be built.
    public static func sectionTransforms(_ config: ModelConfig, section: String, imageShape: [Int]) throws -> [any Transform] {
        let node = config.node(section)
        let feedClass = ModuleRegistry.feedClasses.contains(section) ? section : nil
        return try pipelines(node, config: config, training: false, at: NodeValues(node: node, path: section), feedClass: feedClass,
                             imageShape: imageShape).sample
    }
}
