import Foundation
import SlimConfig

/// What inference takes from a model YAML: the reader section's `image_shape`, `batch_size` and
/// deterministic transforms, and the class names.
///
/// The section is the test reader (`TestReader`, or the one `test_feed` names) when the YAML has
/// one, else the eval reader. Transforms are built as a reader builds them (`ToTensor` first,
/// then the list) minus the random augmentations (`RandomCrop`, `RandomFlip`), so a prediction
/// depends on the image only. The data set is not read unless its class names are needed.
public struct InferenceConfig {
    public var section: String
    public var imageShape: [Int]
    public var batchSize: Int
    public var transforms: [any Transform]
    /// The YAML's global `class_names`, if set.
    public var configClassNames: [String]?
    let datasetNode: Node?
    let datasetDir: String?

    /// - Parameter datasetDir: the CLI's `-d`, replacing the section's `dataset_dir`.
    /// - Throws: `ConfigError` for a bad `image_shape`, `batch_size` or transform.
    public init(_ config: ModelConfig, datasetDir: String? = nil) throws {
        let test = config.readerSection(.test)
        section = config.node(test) != nil ? test : config.readerSection(.eval)
        let node = config.node(section)
        let v = NodeValues(node: node, path: section)
        let defaults = FeedDefaults(section: section, reader: section == test ? .test : .eval)
        imageShape = try v.ints("image_shape") ?? defaults.imageShape
        batchSize = try v.int("batch_size", section == test ? 1 : defaults.batchSize)
        guard imageShape.count == 3, imageShape.allSatisfy({ $0 > 0 }) else {
            throw v.error("image_shape", "must be [C, H, W], got \(imageShape)")
        }
        guard batchSize > 0 else { throw v.error("batch_size", "must be > 0, got \(batchSize)") }
        transforms = try ReaderSpec.sectionTransforms(config, section: section, imageShape: imageShape)
            .filter { !($0 is RandomCrop || $0 is RandomFlip) }
        configClassNames = config.node("class_names")?.items?.compactMap(\.text)
        datasetNode = node?["dataset"]
        self.datasetDir = datasetDir
    }

    /// The class names of the section's data set (reading its files), if it has any.
    /// - Throws: `ConfigError` or `DataError` when the data set cannot be opened.
    public func datasetClassNames() throws -> [String]? {
        try ReaderSpec.dataset(datasetNode, path: "\(section).dataset", split: "test",
                               imageShape: imageShape, datasetDir: datasetDir).classNames
    }

    /// Where class names come from, in order of precedence.
    public enum ClassNameSource: Equatable, Sendable {
        case config, labelList(String), dataset, classIDs
    }

    /// The class names for a model of `numClasses` classes: the YAML's `class_names`, else
    /// `labelList`'s lines, else the data set's names, else nil (class ids). A data set that
    /// cannot be opened, or whose names do not fit the model, is reported through `note` and
    /// falls through to class ids.
    /// - Throws: `DataError` when the label list cannot be read, or when the config's or the
    ///   label list's names are not exactly one per class.
    public func classNames(labelList: String?, numClasses: Int, note: (String) -> Void = { _ in })
        throws -> (names: [String]?, source: ClassNameSource) {
        func checked(_ names: [String], _ what: String) throws -> [String] {
            guard names.count == numClasses else {
                throw DataError.invalidConfiguration("\(what) has \(names.count) names, but the model has \(numClasses) classes")
            }
            return names
        }
        if let configClassNames {
            if let labelList { note("--label_list \(labelList) is not used: the config's class_names take precedence") }
            return (try checked(configClassNames, "the config's class_names"), .config)
        }
        if let labelList { return (try checked(try LabelList.read(path: labelList), "label list \(labelList)"), .labelList(labelList)) }
        do {
            if let names = try datasetClassNames() {
                if names.count == numClasses { return (names, .dataset) }
                note("the data set of \(section) has \(names.count) class names, the model \(numClasses) classes; labelling classes by id")
            }
        } catch {
            note("class names unknown (the data set of \(section) cannot be opened: \(error)); labelling classes by id")
        }
        return (nil, .classIDs)
    }
}
