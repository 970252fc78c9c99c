import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The few OpenMPI entry points slim calls, resolved with `dlopen`/`dlsym` at run time so that
/// the package links no MPI and a run outside `mpirun` never loads it.
///
/// OpenMPI's handles are addresses of its global objects: `MPI_COMM_WORLD` is
/// `&ompi_mpi_comm_world`, `MPI_FLOAT` `&ompi_mpi_float`, `MPI_SUM` `&ompi_mpi_op_sum`, and so on;
/// `dlsym` of those names gives exactly these addresses. `MPI_STATUS_IGNORE` is a null pointer.
struct MPILibrary {
    typealias Handle = UnsafeMutableRawPointer
    typealias InitFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32
    typealias FinalizeFn = @convention(c) () -> Int32
    typealias CommQueryFn = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    typealias IallreduceFn = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle,
                                             UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Int32
    typealias TestFn = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer?) -> Int32
    typealias AbortFn = @convention(c) (Handle, Int32) -> Int32

    /// The shared objects tried in order: Debian's OpenMPI 4 soname, then the development link.
    static let candidates = ["libmpi.so.40", "libmpi.so"]

    let path: String
    let initialize: InitFn
    let finalize: FinalizeFn
    let commRank: CommQueryFn
    let commSize: CommQueryFn
    let iallreduce: IallreduceFn
    let test: TestFn
    let abort: AbortFn
    let commWorld: Handle
    let float: Handle
    let double: Handle
    let sum: Handle
    let max: Handle

    /// Loads the first library of `candidates` that opens (`RTLD_GLOBAL`: OpenMPI's plugins
    /// resolve their symbols against it) and resolves every symbol.
    /// - Throws: `DistributedError` naming the libraries tried or the missing symbol.
    static func load() throws -> MPILibrary {
        var failures: [String] = []
        for name in candidates {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL) else {
                failures.append(dlerror().map { String(cString: $0) } ?? name)
                continue
            }
            return try MPILibrary(handle: handle, path: name)
        }
        throw DistributedError("cannot load OpenMPI (\(failures.joined(separator: "; ")))",
                               hint: "install it (Debian: apt-get install libopenmpi-dev openmpi-bin, or `make deps`)")
    }

    private init(handle: UnsafeMutableRawPointer, path: String) throws {
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let address = dlsym(handle, name) else {
                throw DistributedError("\(path) has no symbol \(name)", hint: "slim needs OpenMPI (its ompi_mpi_* globals), not another MPI")
            }
            return address
        }
        func function<F>(_ name: String, as type: F.Type) throws -> F { unsafeBitCast(try symbol(name), to: type) }
        self.path = path
        initialize = try function("MPI_Init", as: InitFn.self)
        finalize = try function("MPI_Finalize", as: FinalizeFn.self)
        commRank = try function("MPI_Comm_rank", as: CommQueryFn.self)
        commSize = try function("MPI_Comm_size", as: CommQueryFn.self)
        iallreduce = try function("MPI_Iallreduce", as: IallreduceFn.self)
        test = try function("MPI_Test", as: TestFn.self)
        abort = try function("MPI_Abort", as: AbortFn.self)
        commWorld = try symbol("ompi_mpi_comm_world")
        float = try symbol("ompi_mpi_float")
        double = try symbol("ompi_mpi_double")
        sum = try symbol("ompi_mpi_op_sum")
        max = try symbol("ompi_mpi_op_max")
    }
}
