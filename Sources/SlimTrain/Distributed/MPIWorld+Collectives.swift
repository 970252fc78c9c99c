import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension MPIWorld {
    /// A reduction of `allreduce`.
    public enum Operation: Sendable {
        case sum, max
    }

    /// The element-wise `operation` of `values` over every rank, in place; every rank gets the same result.
    /// - Parameter what: what is reduced, named in the timeout message.
    public func allreduce(_ values: inout [Float], _ operation: Operation, what: String) {
        reduce(&values, datatype: library.float, operation, what: what)
    }

    /// The element-wise `operation` of `values` over every rank, in place.
    public func allreduce(_ values: inout [Double], _ operation: Operation, what: String) {
        reduce(&values, datatype: library.double, operation, what: what)
    }

    /// Waits until every rank reaches the same point (a one-element allreduce).
    public func barrier(_ what: String) {
        var token: [Float] = [0]
        allreduce(&token, .sum, what: what)
    }

    /// Throws unless every rank passes the same `value` (e.g. the epoch a resumed run starts at).
    /// - Throws: `DistributedError` naming `what`, the smallest and largest values, and `hint`.
    public func requireAgreement(_ value: Int, on what: String, hint: String) throws {
        var extremes = [Double(value), -Double(value)]
        allreduce(&extremes, .max, what: what)
        guard extremes[0] == -extremes[1] else {
            throw DistributedError("the \(size) ranks disagree on \(what): from \(Int(-extremes[1])) to \(Int(extremes[0])) (rank \(rank): \(value))", hint: hint)
        }
    }

    /// Largest element count of one `MPI_Iallreduce` (its count is a C int).
    static let maxChunk = 1 << 28

    private func reduce<T>(_ values: inout [T], datatype: MPILibrary.Handle, _ operation: Operation, what: String) {
        let op = operation == .sum ? library.sum : library.max
        let send = values
        send.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { target in
                var start = 0
                while start < source.count {
                    let n = min(Self.maxChunk, source.count - start)
                    var request: UnsafeMutableRawPointer?
                    let status = library.iallreduce(source.baseAddress.map { UnsafeRawPointer($0 + start) },
                                                    target.baseAddress.map { UnsafeMutableRawPointer($0 + start) },
                                                    Int32(n), datatype, op, library.commWorld, &request)
                    if status != 0 { fail("MPI_Iallreduce of \(what) returned error \(status)") }
                    wait(&request, what: what)
                    start += n
                }
            }
        }
    }

    /// Polls `request` until it completes, or exits 1 after `timeout` seconds.
    private func wait(_ request: inout UnsafeMutableRawPointer?, what: String) {
        let deadline = Self.now() + timeout
        var done: Int32 = 0
        var polls = 0
        while true {
            if library.test(&request, &done, nil) != 0 { fail("MPI_Test of \(what) failed") }
            if done != 0 { return }
            polls += 1
            if polls > 1000 { usleep(100) }
            if polls % 64 == 0, Self.now() > deadline {
                fail("the allreduce of \(what) did not complete within \(Int(timeout)) s (SLIM_MPI_TIMEOUT): another rank has died or hangs")
            }
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: rank \(rank) of \(size): \(message)\n".utf8))
        Self.noteFailure()
        _exit(1)
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
