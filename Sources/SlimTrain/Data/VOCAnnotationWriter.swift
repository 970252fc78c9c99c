/// The text of a Pascal VOC annotation XML (as `VOCAnnotationFile` reads it back): folder,
/// filename, size, and per object name, pose, truncated, difficult and an integer bndbox.
enum VOCAnnotationWriter {
    /// One object of the file.
    struct Object: Equatable, Sendable {
        var name: String
        var xmin: Int, ymin: Int, xmax: Int, ymax: Int
        var difficult = false
    }

    static func xml(folder: String, filename: String, width: Int, height: Int, depth: Int, objects: [Object]) -> String {
        var lines = ["<annotation>", "\t<folder>\(escaped(folder))</folder>", "\t<filename>\(escaped(filename))</filename>",
                     "\t<size>", "\t\t<width>\(width)</width>", "\t\t<height>\(height)</height>",
                     "\t\t<depth>\(depth)</depth>", "\t</size>", "\t<segmented>0</segmented>"]
        for object in objects {
            lines += ["\t<object>", "\t\t<name>\(escaped(object.name))</name>", "\t\t<pose>Unspecified</pose>",
                      "\t\t<truncated>0</truncated>", "\t\t<difficult>\(object.difficult ? 1 : 0)</difficult>",
                      "\t\t<bndbox>", "\t\t\t<xmin>\(object.xmin)</xmin>", "\t\t\t<ymin>\(object.ymin)</ymin>",
                      "\t\t\t<xmax>\(object.xmax)</xmax>", "\t\t\t<ymax>\(object.ymax)</ymax>", "\t\t</bndbox>", "\t</object>"]
        }
        lines.append("</annotation>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `&`, `<`, `>`, `"` and `'` as XML entities.
    static func escaped(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
