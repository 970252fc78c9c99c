import Foundation
import XCTest

/// Seeded fuzzing of `slim train`, `compress`, `eval`, `calibrate` and `freeze` through the built
/// binary (FuzzCaseGenerator). Whatever the input, a command ends with exit 0, 64 (usage), 65
/// (bad config or data) or 74 (I/O), says why on stderr when it fails, and never dies of a signal
/// (a trap) or hangs. Every case is a tiny run (FuzzCase.model): about 265 cases in 80 s in a
/// debug build on two cores.
final class CommandFuzzTests: XCTestCase {
    static let seed: UInt64 = 0x51_1A_F0_22
    static let randomCases = 240
    /// Far above a tiny run's second or two (on a loaded machine); a case that needs it is a hang.
    static let caseTimeout: TimeInterval = 30
    static let allowedExits: Set<Int32> = [0, 64, 65, 74]

    func testRandomInputsExitCleanly() throws {
        let base = try SlimRunner()
        defer { base.cleanUp() }
        try prepareInputs(base)

        var generator = FuzzCaseGenerator(seed: Self.seed)
        let cases = generator.cases(random: Self.randomCases)
        var exits: [Int32: Int] = [:], signals = 0, timeouts = 0, failures: [String] = []
        for (i, fuzzCase) in cases.enumerated() {
            guard let r = try run(fuzzCase, inputs: base) else {
                timeouts += 1
                failures.append("case \(i): \(fuzzCase.commandLine)\n  timed out after \(Int(Self.caseTimeout)) s")
                continue
            }
            if r.signaled { signals += 1 } else { exits[r.status, default: 0] += 1 }
            if let problem = Self.problem(r) {
                failures.append("case \(i): \(fuzzCase.commandLine)\n  \(problem)\n  stderr: \(Self.tail(r.err))")
            }
        }
        let counts = exits.keys.sorted().map { "\(exits[$0] ?? 0) exits \($0)" }.joined(separator: ", ")
        print("fuzz: \(cases.count) cases (seed \(Self.seed)), \(counts), \(signals) signals, \(timeouts) timeouts, \(failures.count) failing")
        for failure in failures { print("fuzz FAILED \(failure)") }
        XCTAssertTrue(failures.isEmpty, "\(failures.count) of \(cases.count) fuzz cases failed (the 'fuzz FAILED' lines above)")
    }

    /// What is wrong with a finished case, if anything.
    static func problem(_ r: ChildProcess.Result) -> String? {
        if r.signaled { return "killed by signal \(r.status)" }
        if !allowedExits.contains(r.status) { return "exit \(r.status), expected one of 0, 64, 65, 74" }
        if r.status != 0 && r.err.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "exit \(r.status) with nothing on stderr" }
        return nil
    }

    /// The lines of stderr that say what went wrong: a trap's message and its first frame in slim's
    /// sources, else the last three lines.
    static func tail(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let trap = lines.filter { $0.contains("Fatal error") || $0.contains("crashed:") }.prefix(2)
        let frame = lines.first { $0.contains(" in slim at ") && $0.contains("/Sources/") }
        if !trap.isEmpty { return (trap + [frame].compactMap { $0 }).joined(separator: " | ") }
        return lines.suffix(3).joined(separator: " | ")
    }

    /// Runs one case in its own directory (model.yml, its slim.yaml, copies of the inputs); nil when it timed out.
    private func run(_ fuzzCase: FuzzCase, inputs: SlimRunner) throws -> ChildProcess.Result? {
        let dir = try SlimRunner()
        defer { dir.cleanUp() }
        try dir.write("model.yml", FuzzCase.model)
        try dir.write("slim.yaml", fuzzCase.slimYAML)
        for input in ["fp32", "qat", "int8", "imgs"] {
            try FileManager.default.copyItem(atPath: inputs.path(input), toPath: dir.path(input))
        }
        do {
            return try dir.run(fuzzCase.args, timeout: Self.caseTimeout)
        } catch is ChildProcess.TimedOut {
            return nil
        }
    }

    /// fp32/ (slim train), qat/ (a QAT eval model) and int8/ (its frozen int8 model) from one tiny
    /// run, and imgs/, an image folder with one good and one corrupt image.
    private func prepareInputs(_ base: SlimRunner) throws {
        try base.write("model.yml", FuzzCase.model)
        try base.write("slim.yaml", FuzzCase(args: []).slimYAML)
        let train = try base.run(["train", "-c", "model.yml"])
        XCTAssertEqual(train.status, 0, train.err)
        let compress = try base.run(["compress", "-s", "slim.yaml", "-c", "model.yml", "-o", "pretrain_weights=out/model/best"])
        XCTAssertEqual(compress.status, 0, compress.err)
        let fm = FileManager.default
        try fm.copyItem(atPath: base.path("out/model/best"), toPath: base.path("fp32"))
        try fm.copyItem(atPath: base.path("checkpoints/0/eval_model"), toPath: base.path("qat"))
        try fm.copyItem(atPath: base.path("quant/int8"), toPath: base.path("int8"))
        for dir in ["imgs/a", "imgs/b"] { try fm.createDirectory(atPath: base.path(dir), withIntermediateDirectories: true) }
        try fm.copyItem(atPath: SlimRunner.repoRoot.appendingPathComponent("examples/infer_images").path + "/" + Self.exampleImage(),
                        toPath: base.path("imgs/a/" + Self.exampleImage()))
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 0x4A, 0x46, 0x49, 0x46, 0, 1, 0xFF, 0xD9]).write(to: URL(fileURLWithPath: base.path("imgs/b/cut.jpg")))
    }

    private static func exampleImage() -> String {
        let dir = SlimRunner.repoRoot.appendingPathComponent("examples/infer_images").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.sorted().first { $0.hasSuffix(".png") } ?? "missing.png"
    }
}
