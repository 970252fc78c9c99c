import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The processes of a data-parallel run started by OpenMPI's `mpirun -np N slim ...`: this
/// process's `rank` in `0..<size` and the collectives slim needs (sum and max allreduce).
///
/// `MPIWorld.shared()` is nil unless OpenMPI's environment (`OMPI_COMM_WORLD_SIZE` > 1) says the
/// process runs under `mpirun`; only then is libmpi loaded and `MPI_Init` called, once. A run
/// without `mpirun` needs no MPI installed and behaves exactly as before.
///
/// Every collective is nonblocking (`MPI_Iallreduce`) and polled with `MPI_Test` until a
/// deadline of `SLIM_MPI_TIMEOUT` seconds (default 300): a rank that died or hangs makes the
/// others print which collective timed out and exit 1 instead of waiting forever (`mpirun` ends
/// the job when a rank exits non-zero).
public final class MPIWorld {
    public let rank: Int
    public let size: Int
    /// Seconds a collective may wait for the other ranks.
    public let timeout: Double
    let library: MPILibrary

    /// Default of `SLIM_MPI_TIMEOUT`.
    public static let defaultTimeout = 300.0

    private init(library: MPILibrary, environment: [String: String]) throws {
        self.library = library
        guard library.initialize(nil, nil) == 0 else { throw DistributedError("MPI_Init failed (\(library.path))") }
        var value: Int32 = 0
        _ = library.commRank(library.commWorld, &value)
        rank = Int(value)
        _ = library.commSize(library.commWorld, &value)
        size = Int(value)
        timeout = try Self.timeout(environment)
        atexit { MPIWorld.finalizeAtExit() }
    }

    /// `SLIM_MPI_TIMEOUT` in seconds (> 0), else the default.
    static func timeout(_ environment: [String: String]) throws -> Double {
        guard let text = environment["SLIM_MPI_TIMEOUT"] else { return defaultTimeout }
        guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
            throw DistributedError("SLIM_MPI_TIMEOUT must be a number of seconds > 0, got '\(text)'")
        }
        return seconds
    }

    /// The rank and size OpenMPI's `mpirun` gives a process, nil outside `mpirun` or with one process.
    public static func launchedRanks(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> (rank: Int, size: Int)? {
        guard let size = environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init), size > 1,
              let rank = environment["OMPI_COMM_WORLD_RANK"].flatMap(Int.init), (0..<size).contains(rank) else { return nil }
        return (rank, size)
    }

    private nonisolated(unsafe) static var state: Result<MPIWorld?, DistributedError>?
    private static let lock = NSLock()
    private nonisolated(unsafe) static var failed = false

    /// The world of this process (initialising MPI on first use), nil outside `mpirun`.
    /// - Throws: `DistributedError` when libmpi cannot be loaded or initialised.
    public static func shared() throws -> MPIWorld? {
        lock.lock()
        defer { lock.unlock() }
        if state == nil {
            if launchedRanks() == nil {
                state = .success(nil)
            } else {
                do {
                    state = .success(try MPIWorld(library: try MPILibrary.load(), environment: ProcessInfo.processInfo.environment))
                } catch let error as DistributedError {
                    state = .failure(error)
                } catch {
                    state = .failure(DistributedError("\(error)"))
                }
            }
        }
        return try state!.get()
    }

    /// This process's rank: 0 outside `mpirun` (or when MPI could not start: the error is reported where it is used).
    public static var rank: Int { launchedRanks()?.rank ?? 0 }

    /// Whether this process writes files and logs: rank 0, or the only process.
    public static var isRoot: Bool { rank == 0 }

    /// Marks the run as failed: at exit MPI is not finalised (`MPI_Finalize` waits for every
    /// rank), so the process exits at once with its error status and `mpirun` ends the job.
    public static func noteFailure() {
        lock.lock()
        failed = true
        lock.unlock()
    }

    private static func finalizeAtExit() {
        guard !failed, case let .success(world?) = state else { return }
        _ = world.library.finalize()
    }
}
