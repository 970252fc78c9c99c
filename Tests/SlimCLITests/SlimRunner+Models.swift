import Foundation
import SlimTestSupport
import SlimTrain

extension SlimRunner {
    /// Saves an untrained zoo classifier (`[1, 28, 28]` input) as an inference model directory.
    func saveZooModel(_ architecture: String, numClasses: Int, to relative: String) throws {
        try ZooModelFiles.saveUntrained(architecture, numClasses: numClasses, to: path(relative))
    }

    /// Writes `count` gray 28x28 PNGs into each of the class folders `root/<class>`.
    func writeImageFolder(_ root: String, classes: [String], count: Int) throws {
        for (c, name) in classes.enumerated() {
            try FileManager.default.createDirectory(atPath: path("\(root)/\(name)"), withIntermediateDirectories: true)
            for i in 0..<count {
                let pixels = (0..<(28 * 28)).map { UInt8(($0 * (c + 3) + i * 17) % 256) }
                try ImageCodec.encodePNG(pixels: pixels, width: 28, height: 28, channels: 1, to: path("\(root)/\(name)/\(i).png"))
            }
        }
    }
}
