import Foundation

/// Training progress on the console:
///
///     epoch 2/4  batch 120/469  loss 0.4123  lr 0.0100  1523 img/s  ETA 0:42
///
/// On a terminal (`isatty`) the line is redrawn in place with `\r` every batch; otherwise a log
/// line is written every `logIter` batches (and on the last batch of an epoch). Images/s are
/// measured over a sliding window of the last `window` batches; the ETA covers the rest of the
/// current epoch.
public final class ProgressReporter {
    public let epochs: Int
    public let batchesPerEpoch: Int
    public let logIter: Int
    public let live: Bool
    private let write: (String) -> Void
    private let clock: () -> Double
    private var speed: ThroughputWindow
    private var lineOpen = false

    /// - Parameters:
    ///   - epochs: total epochs of the run.
    ///   - batchesPerEpoch: batches per epoch.
    ///   - logIter: batches between log lines when not live (`log_iter`).
    ///   - window: batches in the images/s window.
    ///   - live: redraw one line; defaults to whether stdout is a terminal.
    ///   - write: the sink (stdout by default, flushed).
    ///   - clock: seconds, monotonic (injectable for tests).
    public init(epochs: Int, batchesPerEpoch: Int, logIter: Int = 20, window: Int = 20,
                live: Bool = isatty(STDOUT_FILENO) != 0,
                write: @escaping (String) -> Void = ProgressReporter.standardOutput,
                clock: @escaping () -> Double = ProgressReporter.monotonicSeconds) {
        self.epochs = epochs
        self.batchesPerEpoch = batchesPerEpoch
        self.logIter = max(1, logIter)
        self.live = live
        self.write = write
        self.clock = clock
        speed = ThroughputWindow(capacity: max(1, window), start: clock())
    }

    /// Records that batch `batch` (1-based) of epoch `epoch` (1-based) with `images` samples
    /// finished, and prints if due.
    public func batchEnded(epoch: Int, batch: Int, images: Int, loss: Double, lr: Double) {
        speed.record(images: images, at: clock())
        let line = Self.format(epoch: epoch, epochs: epochs, batch: batch, batches: batchesPerEpoch, loss: loss, lr: lr,
                               imagesPerSecond: speed.imagesPerSecond, eta: eta(batch: batch))
        if live {
            write("\r" + line + "\u{1B}[K")
            lineOpen = true
        } else if batch % logIter == 0 || batch == batchesPerEpoch {
            write(line + "\n")
        }
    }

    /// Ends a live line so the next output starts on a fresh line.
    public func finishLine() {
        if lineOpen { write("\n") }
        lineOpen = false
    }

    /// Prints a one-line summary of a finished stage.
    public func summary(_ text: String) {
        finishLine()
        write(text + "\n")
    }

    /// Seconds left in this epoch at the current rate of batches.
    private func eta(batch: Int) -> Double? {
        guard let perBatch = speed.secondsPerBatch else { return nil }
        return perBatch * Double(max(0, batchesPerEpoch - batch))
    }

    /// The progress line (no newline).
    public static func format(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, lr: Double,
                              imagesPerSecond: Double?, eta: Double?) -> String {
        let speed = imagesPerSecond.map { String(format: "%.0f img/s", $0) } ?? "- img/s"
        return String(format: "epoch %d/%d  batch %d/%d  loss %.4f  lr %.4f  ", epoch, epochs, batch, batches, loss, lr)
            + speed + "  ETA " + (eta.map(formatDuration) ?? "-")
    }

    /// `h:mm:ss` or `m:ss`.
    public static func formatDuration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    public static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    public static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
