/// The architectures a model YAML's `architecture:` can name, built from their options.
public enum ModelZoo {
    public enum Architecture: String, CaseIterable, Sendable {
        case LeNet5, MobileNetV1, ResNet
    }

    /// Options of an architecture as plain values (from the YAML module of the same name).
    public struct Options: Sendable {
        public var dropout: Double = 0
        public var scale: Double = 1
        public var depth: Int = 20
        public var variant: String = "cifar"
        public init() {}
    }

    /// The model `architecture` names.
    /// - Throws: `GraphError` for an unknown architecture (listing the valid ones) or bad options.
    public static func model(_ architecture: String, options: Options, numClasses: Int) throws -> any ZooModel {
        guard let arch = Architecture(rawValue: architecture) else {
            throw GraphError("unknown architecture '\(architecture)'",
                             hints: ["valid architectures: \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))"])
        }
        switch arch {
        case .LeNet5: return LeNet5(numClasses: numClasses, dropout: options.dropout)
        case .MobileNetV1: return MobileNetV1(numClasses: numClasses, scale: options.scale)
        case .ResNet:
            guard let variant = ResNet.Variant(rawValue: options.variant) else {
                throw GraphError("unknown ResNet variant '\(options.variant)'", hints: ["use cifar or imagenet"])
            }
            return try ResNet(numClasses: numClasses, depth: options.depth, variant: variant)
        }
    }
}
