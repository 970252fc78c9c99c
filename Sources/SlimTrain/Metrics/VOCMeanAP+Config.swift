import SlimConfig

extension VOCMeanAP.MapType {
    /// A model YAML's `map_type`: `11point` (the default, also when absent) or `integral`.
    /// - Throws: `ConfigError` at the value for anything else.
    public static func configured(in config: ModelConfig) throws -> Self {
        guard let text = try config.string("map_type") else { return .elevenPoint }
        if let type = Self(rawValue: text) { return type }
        let message = "map_type must be one of \(allCases.map(\.rawValue)), got '\(text)'"
        guard let node = config.node("map_type") else { throw DataError.invalidConfiguration(message) }
        throw ConfigError(message, at: node.mark)
    }

    /// PaddleDetection's evaluation line for a VOC mAP in [0, 1]: `mAP(0.50, 11point) = 12.34`
    /// (`voc_eval.bbox_eval`: overlap 0.5, the value in percent with two decimals).
    public func line(map: Double) -> String {
        "mAP(0.50, \(rawValue)) = \(String(format: "%.2f", 100 * map))"
    }
}
