import Foundation
import SlimTensor

extension ModelFile {
    /// The (model, params) file names present in `dir`: the eval names when both files exist,
    /// else the frozen names when both exist.
    /// - Throws: `ModelFileError` `.missing`, listing the files present, when neither pair is there.
    public static func detectNames(in dir: String) throws -> (model: String, params: String) {
        try requireDirectory(dir)
        let fm = FileManager.default
        for names in [evalNames, frozenNames]
        where fm.fileExists(atPath: join(dir, names.model)) && fm.fileExists(atPath: join(dir, names.params)) {
            return names
        }
        throw ModelFileError(.missing, path: dir, "no model files found",
                             expected: "\(evalNames.model) + \(evalNames.params) (eval model) or "
                                 + "\(frozenNames.model) + \(frozenNames.params) (frozen model)",
                             hints: DiskFile.presentFilesHint(near: join(dir, evalNames.model))
                                 + ["choose other names with --model_name and --params_name"])
    }

    /// `load(from:modelName:paramsName:)` with the file names given, or detected by
    /// `detectNames(in:)` when `modelName` or `paramsName` is nil (as `slim eval --model_path`).
    public static func load(from dir: String, modelName: String?, paramsName: String?) throws
        -> (program: Program, params: [String: Tensor]) {
        if let modelName, let paramsName { return try load(from: dir, modelName: modelName, paramsName: paramsName) }
        let detected = try detectNames(in: dir)
        return try load(from: dir, modelName: modelName ?? detected.model, paramsName: paramsName ?? detected.params)
    }

    /// `DiskFile.read(path)`; when the file is missing but `dir` holds the other standard pair,
    /// the error says which names to use.
    static func readSuggestingNames(_ path: String, in dir: String) throws -> [UInt8] {
        do {
            return try DiskFile.read(path)
        } catch var error as ModelFileError where error.kind == .missing {
            if let names = try? detectNames(in: dir) {
                error.hints.append("\(dir) holds \(names.model) + \(names.params): pass --model_name \(names.model) "
                                   + "--params_name \(names.params), or leave both out to detect them")
            }
            throw error
        }
    }

    static func requireDirectory(_ dir: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) else {
            throw ModelFileError(.missing, path: dir, "no such directory", expected: "a model directory",
                                 hints: DiskFile.presentFilesHint(near: dir))
        }
        guard isDirectory.boolValue else {
            throw ModelFileError(.missing, path: dir, "is a file, not a directory",
                                 expected: "a model directory holding a program file and a params file")
        }
    }
}
