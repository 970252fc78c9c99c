import SlimQuant

extension CalibrationReduction {
    /// The reduction of this process's `mpirun` world (allreduce max and sum), nil outside `mpirun`.
    /// - Throws: `DistributedError` when OpenMPI cannot start.
    public static func current() throws -> CalibrationReduction? {
        guard let world = try MPIWorld.shared() else { return nil }
        return CalibrationReduction(rank: world.rank, count: world.size,
                                    max: { world.allreduce(&$0, .max, what: "the calibration maxima") },
                                    sum: { world.allreduce(&$0, .sum, what: "the calibration histograms") })
    }
}
