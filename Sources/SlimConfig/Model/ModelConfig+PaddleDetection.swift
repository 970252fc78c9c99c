extension ModelConfig {
    /// The schemes of a remote `pretrain_weights` or `weights` (PaddleDetection downloads them).
    static let urlSchemes = ["http://", "https://", "ftp://"]

    /// The options the file (or `-o`) sets that PaddleDetection knows and slim accepts without
    /// effect (`use_gpu`, `log_smooth_window`, `MobileNet.norm_decay`, ...), as dotted paths in
    /// file order: globals, then the options of top-level sections.
    public var unusedKeys: [String] {
        let registry = ModuleRegistry.shared
        guard let entries = root.entries, let global = registry.module("Global") else { return [] }
        let readers: [String: String] = [.train, .eval, .test].reduce(into: [:]) {
            $0[readerSection($1)] = ModuleRegistry.readerSchemaName(section: readerSection($1), fallback: $1.defaultSection)
        }
        var keys: [String] = []
        for entry in entries {
            guard let key = entry.key.text else { continue }
            if let option = global.option(key) {
                if option.unused { keys.append(key) }
            } else if let schema = registry.module(readers[key] ?? key), let options = entry.value.entries {
                keys += options.compactMap { o in
                    guard let name = o.key.text, schema.option(name)?.unused == true else { return nil }
                    return "\(key).\(name)"
                }
            }
        }
        return keys
    }

    /// The one note line about `unusedKeys` (nil when there are none).
    public var unusedKeysNote: String? {
        let keys = unusedKeys
        return keys.isEmpty ? nil : "note: known to PaddleDetection but unused by slim: \(keys.joined(separator: ", "))"
    }

    /// A model directory option (`pretrain_weights`, `weights`) as a local path: nil when absent
    /// or empty.
    /// - Throws: `ConfigError` at the value when it is a URL (slim never downloads) or not a string.
    public func localPath(_ key: String) throws -> String? {
        guard let path = try string(key), !path.isEmpty else { return nil }
        if Self.urlSchemes.contains(where: { path.lowercased().hasPrefix($0) }) {
            throw ConfigError("\(key): slim does not download; give a local path", at: node(key)?.mark ?? SourceMark(file: self.path, line: 1, column: 1),
                              notes: ["\(key) is \(path)", "download and unpack it yourself, then set -o \(key)=DIR (a model directory)"])
        }
        return path
    }
}
