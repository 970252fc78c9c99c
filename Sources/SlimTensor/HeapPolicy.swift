import CDNNL

/// How the process's allocator treats large blocks.
public enum HeapPolicy {
    /// glibc serves a block above its mmap threshold (which adapts, but never past 32 MiB) with a
    /// fresh mapping and unmaps it on free, so every large activation of every step is
    /// page-faulted in and zeroed again by the kernel: 18% of a YOLOv3-MobileNetV1 training step
    /// at 416 px was `clear_page`. With blocks up to 1 GiB kept in the heap after free (and the
    /// heap not trimmed below that), the next step reuses them; the peak is unchanged.
    public static func keepLargeBlocks() {
        slim_malloc_keep_blocks_below(1 << 30)
    }
}
