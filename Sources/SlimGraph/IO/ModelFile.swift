import Foundation
import SlimTensor

/// A model directory: a program file (JSON, see `ProgramFile`) and a params file (binary, see
/// `ParamsFile`) holding exactly the program's persistable vars.
///
/// Eval models (checkpoints, QAT graphs) use `__model__` / `__params__`; frozen models use
/// `model` / `weights`; other names are chosen as Paddle's `--model_name` / `--params_name`.
public enum ModelFile {
    public static let evalNames = (model: "__model__", params: "__params__")
    public static let frozenNames = (model: "model", params: "weights")

    /// Writes `program` and its persistable vars' values from `params` as the folder `dir`, both
    /// files as one unit (`DirectoryUnit`): a crash never leaves a program beside params of
    /// another save. An existing `dir` is replaced only when it holds nothing but model files
    /// (slim's names, or `modelName` / `paramsName`). Entries of `params` that are not persistable
    /// vars of the program are not written.
    /// - Throws: `ModelFileError` `.mismatch` when a persistable var has no value in `params` or a
    ///   value of another shape or dtype; `.io` when the files cannot be written or `dir` holds
    ///   other files.
    public static func save(program: Program, params: [String: Tensor], to dir: String,
                            modelName: String = "__model__", paramsName: String = "__params__") throws {
        let paramsPath = join(dir, paramsName), modelPath = join(dir, modelName)
        var stored: [String: Tensor] = [:]
        for v in program.persistables {
            guard let t = params[v.name] else {
                throw ModelFileError(.mismatch, path: paramsPath, "cannot save: persistable var '\(v.name)' has no value",
                                     expected: "a value for every persistable var of the program")
            }
            try checkValue(t, of: v, path: paramsPath, role: "cannot save: value of")
            stored[v.name] = t
        }
        let programBytes = try ProgramFile.encode(program, path: modelPath), paramsBytes = ParamsFile.encode(stored)
        let ours: Set<String> = [evalNames.model, evalNames.params, frozenNames.model, frozenNames.params, modelName, paramsName]
        try DirectoryUnit.write(dir, replaceable: { existing in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: existing)) ?? []
            let others = names.filter { !ours.contains($0) && !$0.hasPrefix(".") }.sorted()
            return others.isEmpty ? nil : "it holds files that are not model files (\(others.prefix(5).joined(separator: ", ")))"
        }) { temp in
            try DiskFile.writeAtomically(paramsBytes, to: join(temp, paramsName))
            try DiskFile.writeAtomically(programBytes, to: join(temp, modelName))
        }
    }

    /// Reads the program and params of `dir` and checks that they belong together: the params
    /// file stores exactly the program's persistable vars, each with the declared shape and dtype.
    /// - Throws: `ModelFileError` naming the file, what was wrong and what was expected.
    public static func load(from dir: String, modelName: String = "__model__",
                            paramsName: String = "__params__") throws -> (program: Program, params: [String: Tensor]) {
        try requireDirectory(dir)
        let modelPath = join(dir, modelName), paramsPath = join(dir, paramsName)
        let program = try ProgramFile.decode(try readSuggestingNames(modelPath, in: dir), path: modelPath)
        let params = try ParamsFile.decode(try readSuggestingNames(paramsPath, in: dir), path: paramsPath)
        for v in program.persistables {
            guard let t = params[v.name] else {
                throw ModelFileError(.mismatch, path: paramsPath, "persistable var '\(v.name)' of \(modelPath) is not stored",
                                     expected: "every persistable var of the program (files from different models?)")
            }
            try checkValue(t, of: v, path: paramsPath, role: "stored")
        }
        let persistable = Set(program.persistables.map(\.name))
        if let extra = params.keys.sorted().first(where: { !persistable.contains($0) }) {
            throw ModelFileError(.mismatch, path: paramsPath, "stores '\(extra)', which is not a persistable var of \(modelPath)",
                                 expected: "exactly the persistable vars of the program (files from different models?)")
        }
        return (program, params)
    }

    static func checkValue(_ t: Tensor, of v: VarDesc, path: String, role: String) throws {
        guard t.shape == v.shape, t.dtype == v.dtype else {
            throw ModelFileError(.mismatch, path: path, "\(role) '\(v.name)' is \(t.dtype)\(t.shape)",
                                 expected: "\(v.dtype)\(v.shape) as the program declares")
        }
    }

    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }
}
