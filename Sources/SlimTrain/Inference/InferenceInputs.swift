import Foundation

/// The image files of an inference run.
public enum InferenceInputs {
    /// The regular files directly inside `dir`, sorted by name, as `dir/name`. Hidden files
    /// (`.name`) and subfolders are left out; whether a file is an image is decided later by
    /// its content, so files of any extension are listed.
    /// - Throws: `DataError.missingFile` when `dir` is not a readable folder.
    public static func files(inDirectory dir: String) throws -> [String] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDirectory) else {
            throw DataError.missingFile(path: dir, reason: "no such folder")
        }
        guard isDirectory.boolValue else {
            throw DataError.missingFile(path: dir, reason: "is a file, not a folder (use --infer_img for one image)")
        }
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: dir)
        } catch {
            throw DataError.missingFile(path: dir, reason: "cannot list the folder: \(error.localizedDescription)")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted().map { (dir as NSString).appendingPathComponent($0) }.filter { path in
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
        }
    }

    /// File names for the annotated copies of `files` in one output folder: `<stem>.png`, or
    /// `<name>.png` (extension kept) when two inputs share a stem, then `-2`, `-3`, ... before
    /// `.png` for any name still taken, so no copy overwrites another.
    public static func annotatedNames(_ files: [String]) -> [String] {
        let names = files.map { ($0 as NSString).lastPathComponent }
        let stems = names.map { ($0 as NSString).deletingPathExtension }
        var counts: [String: Int] = [:]
        for stem in stems { counts[stem, default: 0] += 1 }
        var used = Set<String>()
        return zip(names, stems).map { name, stem in
            let base = counts[stem] == 1 ? stem : name
            var candidate = base + ".png", n = 1
            while used.contains(candidate) { n += 1; candidate = "\(base)-\(n).png" }
            used.insert(candidate)
            return candidate
        }
    }
}
