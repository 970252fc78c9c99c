import SlimGraph
import SlimTensor

/// Measures one configuration: `warmup` untimed steps (they create and cache the oneDNN
/// primitives), then `steps` timed steps; reports their median and the process's peak memory.
public enum Benchmark {
    /// Runs `configuration` and returns what it measured.
    ///
    /// Sets the thread count first (`Kernels.setThreads`), so call it before anything in the
    /// process has used oneDNN.
    /// - Throws: `BenchError` for contradictory options or what this version cannot run yet;
    ///   data, model-file and graph errors from building or running the step.
    public static func measure(_ configuration: BenchConfiguration) throws -> BenchResult {
        try configuration.validate()
        Kernels.setThreads(configuration.threads)
        if let actual = Kernels.threads, actual != configuration.threads {
            throw BenchError(.unavailable, "asked for \(configuration.threads) threads, the OpenMP runtime gives \(actual)",
                             hints: ["run with OMP_NUM_THREADS=\(configuration.threads)"])
        }
        let workload = try BenchWorkload.make(configuration)
        let profile = configuration.profile ? OpProfile() : nil
        if let profile {
            guard let executor = workload.executor else {
                throw BenchError(.usage, "--profile times the ops of one executor; \(configuration.target.label) \(configuration.mode.rawValue) has none")
            }
            executor.profile = profile
        }
        for _ in 0..<configuration.warmup { try workload.step() }
        profile?.reset()
        let replayedBefore = workload.executor?.replayedRuns ?? 0, lanesBefore = workload.executor?.laneReplayedRuns ?? 0
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(configuration.steps)
        for _ in 0..<configuration.steps {
            var failure: Error?
            let elapsed = clock.measure {
                do { try workload.step() } catch { failure = error }
            }
            if let failure { throw failure }
            samples.append(milliseconds(elapsed))
        }
        var result = BenchResult(model: configuration.target.label, mode: configuration.mode, precision: workload.precision,
                           batch: configuration.batch, threads: configuration.threads, data: configuration.data,
                           warmup: configuration.warmup, stepMilliseconds: samples, peakRSSMB: PeakMemory.residentMB,
                           imageSize: configuration.target == .zoo(.yolov3MobileNetV1)
                               ? configuration.imageSize ?? BenchModel.defaultDetectionImageSize : nil)
        result.scale = configuration.scale
        result.profile = profile?.table(runs: configuration.steps)
        if configuration.mode == .infer, let executor = workload.executor, executor.replaysInference {
            result.replayedSteps = executor.replayedRuns - replayedBefore
            result.laneSteps = executor.laneReplayedRuns - lanesBefore
        }
        return result
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}
