import Foundation

/// The background thread of a prefetching `DataLoader`: walks its own copy of the cursor and
/// queues each batch with the loader state that follows it.
final class Prefetcher {
    typealias Item = Result<(Batch, LoaderState), Error>
    private let queue: PrefetchQueue<Item>

    /// Starts the thread at `cursor`'s state.
    init(cursor: BatchCursor, capacity: Int) {
        let queue = PrefetchQueue<Item>(capacity: capacity)
        self.queue = queue
        let thread = Thread {
            var cursor = cursor
            while !queue.isStopped {
                let item: Item
                do { item = .success((try cursor.next(), cursor.state)) } catch { item = .failure(error) }
                guard queue.push(item) else { break }
                if case .failure = item { break }
            }
            queue.finish()
        }
        thread.name = "slim.DataLoader.prefetch"
        thread.start()
    }

    /// The next result in stream order (blocks until built).
    func next() -> Item {
        queue.pop() ?? .failure(DataError.invalidConfiguration("the prefetch thread ended unexpectedly"))
    }

    /// Stops the thread and waits until it has exited its loop.
    func stop() {
        queue.stop()
        queue.waitUntilFinished()
    }

    deinit { stop() }
}
