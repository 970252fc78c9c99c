import Foundation
import SlimGraph
import SlimTensor
import SlimTrain
import XCTest

/// `mpirun -np 2 slim compress`: two ranks with batch B train the same weights as one process
/// with batch 2B, only rank 0 writes, and a run with one rank killed resumes byte-identical.
final class MPIEndToEndTests: XCTestCase {
    /// OpenMPI's launcher, or nil (the tests skip) when it is not installed.
    static let mpirun: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
        .split(separator: ":").map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `mpirun` arguments running `slim args` as `ranks` processes (one OpenMP thread each), rank `r`
    /// in `dirs[r]` when given (MPMD: one app context per rank), else all in the runner's folder.
    func mpiRun(_ slim: SlimRunner, _ args: [String], ranks: Int = 2, dirs: [String]? = nil,
                environment: [String: String] = [:]) throws -> ChildProcess.Result {
        let launcher = try XCTUnwrap(Self.mpirun)
        let env = ["OMP_NUM_THREADS": "1", "SLIM_MPI_TIMEOUT": "120"].merging(environment) { _, new in new }
        var argv = ["--oversubscribe", "--allow-run-as-root", "--mca", "btl_vader_single_copy_mechanism", "none"]
        argv += env.keys.sorted().flatMap { ["-x", $0] }
        let binary = ConfigShowEndToEndTests.slimBinary.path
        if let dirs {
            argv += dirs.enumerated().flatMap { i, dir in (i > 0 ? [":"] : []) + ["-np", "1", "-wdir", dir, binary] + args }
        } else {
            argv += ["-np", String(ranks), binary] + args
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: launcher)
        p.arguments = argv
        p.currentDirectoryURL = slim.workDir
        p.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new }
        return try ChildProcess.run(p, timeout: 300)
    }

    /// The tiny LeNet model YAML with `batch` samples per process.
    func model(batch: Int) -> String {
        SlimRunner.tinyModel.replacingOccurrences(of: "  batch_size: 32\n", with: "  batch_size: \(batch)\n")
            .replacingOccurrences(of: "max_iters: 6", with: "max_iters: 4")
    }

    func params(_ slim: SlimRunner, _ dir: String) throws -> [String: Tensor] {
        try ModelFile.load(from: slim.path(dir)).params
    }

    override func setUpWithError() throws {
        try XCTSkipIf(Self.mpirun == nil, "mpirun is not installed (make deps installs openmpi-bin)")
    }

    func testTwoRanksTrainAsOneProcessWithTheGlobalBatch() throws {
        let single = try SlimRunner(), rank0 = try SlimRunner(), rank1 = try SlimRunner()
        defer { single.cleanUp(); rank0.cleanUp(); rank1.cleanUp() }
        try single.write("model.yml", model(batch: 32))
        for slim in [rank0, rank1] { try slim.write("model.yml", model(batch: 16)) }
        for slim in [single, rank0, rank1] { try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 2)) }
        let args = ["compress", "-s", "slim.yaml", "-c", "model.yml"]
        let one = try single.run(args)
        XCTAssertEqual(one.status, 0, one.err)
        // Rank 0 and rank 1 in separate folders: what each rank writes lands in its own.
        let two = try mpiRun(rank0, args, dirs: [rank0.workDir.path, rank1.workDir.path])
        XCTAssertEqual(two.status, 0, two.out + two.err)
        XCTAssertTrue(two.out.contains("allreduce: "), two.out)
        XCTAssertEqual(two.out.components(separatedBy: "saved checkpoint").count - 1, 2, "rank 0 alone logs: \(two.out)")

        for dir in ["checkpoints", "quant"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: rank0.path(dir)), "rank 0 writes \(dir)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: rank1.path(dir)), "rank 1 writes no \(dir)")
        }
        let a = try params(single, "checkpoints/1/model"), b = try params(rank0, "checkpoints/1/model")
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        var compared = 0
        for (name, x) in a where x.dtype == .f32 {
            let y = try XCTUnwrap(b[name], name)
            let scale = max(1, x.floats.map(abs).max() ?? 0)
            let diff = zip(x.floats, y.floats).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(diff, 1e-4 * scale, "\(name): 2 ranks x 16 differ from 1 process x 32 by \(diff)")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 8, "weights, optimizer state and quantization scales compared")
        let evalOne = try XCTUnwrap(single.bytes("checkpoints/1/context.json")), evalTwo = try XCTUnwrap(rank0.bytes("checkpoints/1/context.json"))
        let top1 = { (data: Data) throws -> Double in
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let history = try XCTUnwrap(json["evalHistory"] as? [String: [String: Any]])
            return try XCTUnwrap(history["1"]?["top1"] as? Double)
        }
        XCTAssertEqual(try top1(evalOne), try top1(evalTwo), accuracy: 0.011, "the sharded evaluation sums counts over the ranks")
    }

    func testKilledRankResumesByteIdentical() throws {
        let straight = try SlimRunner(), killed = try (0..<2).map { _ in try SlimRunner() }
        defer { straight.cleanUp(); killed.forEach { $0.cleanUp() } }
        for slim in [straight] + killed {
            try slim.write("model.yml", model(batch: 16))
            try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 3))
        }
        let args = ["compress", "-s", "slim.yaml", "-c", "model.yml"]
        let full = try mpiRun(straight, args)
        XCTAssertEqual(full.status, 0, full.out + full.err)

        for (rank, slim) in killed.enumerated() {  // SIGKILL-like stop of rank 1, then of rank 0
            let victim = String(1 - rank)
            let stopped = try mpiRun(slim, args, environment: ["SLIM_TEST_KILL_AT": "checkpoint-saved-1", "SLIM_TEST_KILL_RANK": victim])
            XCTAssertNotEqual(stopped.status, 0, "rank \(victim): the job fails when a rank dies")
            XCTAssertNotNil(slim.bytes("checkpoints/1/context.json"), "rank \(victim): checkpoint 1 was in place before the kill")
            XCTAssertNil(slim.bytes("checkpoints/2/context.json"))

            let resumed = try mpiRun(slim, args)
            XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
            XCTAssertTrue(resumed.out.contains("resuming from"), resumed.out)
            for file in ["checkpoints/2/model/__params__", "checkpoints/2/context.json", "quant/float/weights", "quant/int8/weights"] {
                let a = straight.bytes(file), b = slim.bytes(file)
                XCTAssertNotNil(a, file)
                XCTAssertEqual(a, b, "rank \(victim) killed: \(file) differs between the straight and the resumed 2-rank run")
            }
        }
    }
}

extension MPIEndToEndTests {
    func testAHungRankFailsTheJobAfterTheTimeout() throws {
        let slim = try SlimRunner()
        defer { slim.cleanUp() }
        try slim.write("model.yml", model(batch: 16))
        try slim.write("slim.yaml", SlimRunner.tinySlim(epochs: 2))
        let start = Date()
        let r = try mpiRun(slim, ["compress", "-s", "slim.yaml", "-c", "model.yml"],
                           environment: ["SLIM_TEST_HANG_AT": "checkpoint-saved-0", "SLIM_TEST_KILL_RANK": "1", "SLIM_MPI_TIMEOUT": "3"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("SLIM_MPI_TIMEOUT") && r.err.contains("rank 0 of 2"), r.err)
        XCTAssertLessThan(Date().timeIntervalSince(start), 120, "the job ends soon after the timeout")
    }
}

extension MPIEndToEndTests {
    /// `slim train`, `eval` and `calibrate` under two ranks: the same model and numbers as one
    /// process with the global batch (train), the whole eval set (eval, sharded and summed) and
    /// the same calibrated files (calibrate: each rank observes its share of the batches, rank 0 writes).
    func testTrainEvalAndCalibrateUnderTwoRanks() throws {
        let single = try SlimRunner(), ranks = try SlimRunner()
        defer { single.cleanUp(); ranks.cleanUp() }
        try single.write("model.yml", model(batch: 32))
        try ranks.write("model.yml", model(batch: 16))
        let train = ["train", "-c", "model.yml"]
        let one = try single.run(train)
        XCTAssertEqual(one.status, 0, one.err)
        let two = try mpiRun(ranks, train)
        XCTAssertEqual(two.status, 0, two.out + two.err)
        XCTAssertTrue(two.out.contains("batches of 16 x 2 ranks"), two.out)
        let a = try params(single, "out/model/last"), b = try params(ranks, "out/model/last")
        for (name, x) in a {
            let y = try XCTUnwrap(b[name], name)
            let diff = zip(x.floats, y.floats).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(diff, 1e-4 * max(1, x.floats.map(abs).max() ?? 0), name)
        }

        // Both evaluate and calibrate the single process's model (7 eval batches: 4 on rank 0, 3 on rank 1).
        let evalModel = SlimRunner.tinyModel.replacingOccurrences(of: "batch_size: 100", with: "batch_size: 30")
        try single.write("eval.yml", evalModel)
        try ranks.write("eval.yml", evalModel)
        let modelPath = single.path("out/model/last")
        let evalOne = try single.run(["eval", "-c", "eval.yml", "--model_path", modelPath, "--output_eval", "eval.json"])
        let evalTwo = try mpiRun(ranks, ["eval", "-c", "eval.yml", "--model_path", modelPath, "--output_eval", "eval.json"])
        XCTAssertEqual(evalOne.status, 0, evalOne.err)
        XCTAssertEqual(evalTwo.status, 0, evalTwo.out + evalTwo.err)
        // Counts are summed exactly; the mean loss adds the ranks' partial sums in another order,
        // so it may differ in the last bits (it does on some hosts).
        let evalA = try JSONDecoder().decode(EvalResult.self, from: try XCTUnwrap(single.bytes("eval.json")))
        let evalB = try JSONDecoder().decode(EvalResult.self, from: try XCTUnwrap(ranks.bytes("eval.json")))
        XCTAssertEqual(evalA.samples, evalB.samples)
        XCTAssertEqual(evalA.values.map(\.name), evalB.values.map(\.name))
        for name in ["top1", "top5"] { XCTAssertEqual(evalA[name], evalB[name], "the summed counts give the single process's \(name)") }
        XCTAssertEqual(evalA.loss, evalB.loss, accuracy: 1e-12 * max(1, abs(evalA.loss)), "the summed losses give the single process's mean")

        // 3 calibration batches: rank 0 observes batches 0 and 2, rank 1 batch 1; the combined
        // observers give the single process's thresholds, so the same files.
        for algo in ["abs_max", "avg", "KL"] {
            let calibrate = ["calibrate", "-c", "eval.yml", "--model_path", modelPath, "--algo", algo, "--batch_nums", "3", "--save_path", "ptq-\(algo)"]
            XCTAssertEqual(try single.run(calibrate).status, 0)
            let calibrated = try mpiRun(ranks, calibrate)
            XCTAssertEqual(calibrated.status, 0, calibrated.out + calibrated.err)
            XCTAssertTrue(calibrated.out.contains("on 3 batches of 32 split over 2 ranks"), calibrated.out)
            for file in ["int8/weights", "float/weights", "eval_model/__params__"] {
                XCTAssertNotNil(single.bytes("ptq-\(algo)/\(file)"), "\(algo) \(file)")
                XCTAssertEqual(single.bytes("ptq-\(algo)/\(file)"), ranks.bytes("ptq-\(algo)/\(file)"), "\(algo) \(file)")
            }
        }
    }
}
