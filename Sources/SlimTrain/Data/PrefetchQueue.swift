import Foundation

/// A bounded, blocking hand-off between one producer thread and one consumer.
///
/// The producer `push`es results (blocking while `capacity` are waiting) until `stop()`; the
/// consumer `pop`s them in order (blocking while empty). `finish()` marks the producer gone.
final class PrefetchQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private let capacity: Int
    private var stopped = false
    private var finished = false

    init(capacity: Int) {
        precondition(capacity > 0, "prefetch capacity must be positive")
        self.capacity = capacity
    }

    /// Waits for room and enqueues; returns false (dropping `item`) once stopped.
    func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !stopped { condition.wait() }
        guard !stopped else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Waits for an item; nil once the producer finished with nothing left, or when stopped.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && !finished && !stopped { condition.wait() }
        guard items.count > head, !stopped else { return nil }
        let item = items[head]
        head += 1
        if head > 64 { items.removeFirst(head); head = 0 }
        condition.broadcast()
        return item
    }

    /// Asks the producer to end and wakes everyone.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Called by the producer as its very last action.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the producer called `finish()`.
    func waitUntilFinished() {
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
