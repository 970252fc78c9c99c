import CJPEG
import Foundation

extension ImageCodec {
    /// Encodes 8-bit interleaved pixels (HWC; 1 = gray, 3 = RGB channels) as a baseline JPEG of
    /// `quality` (1...100) with libjpeg's default settings (4:2:0 chroma for colour). The same
    /// pixels and quality always give the same bytes.
    ///
    /// Runs on a helper thread, as `decodeJPEG` does, so that a libjpeg error ends that thread
    /// instead of the process.
    /// - Throws: `DataError.writeFailed` naming `path` (which only names the target).
    public static func encodeJPEG(pixels: [UInt8], width: Int, height: Int, channels: Int, quality: Int = 95,
                                  path: String = "<memory>") throws -> [UInt8] {
        guard channels == 1 || channels == 3, width > 0, height > 0, width <= 65_500, height <= 65_500,
              pixels.count == width * height * channels, (1...100).contains(quality) else {
            throw DataError.writeFailed(path: path, reason:
                "cannot encode \(pixels.count) bytes as a \(width)x\(height) JPEG with \(channels) channels at quality \(quality)")
        }
        return try pixels.withUnsafeBufferPointer { buffer in
            let job = JPEGEncodeJob(pixels: buffer, width: width, height: height, channels: channels, quality: quality)
            defer { job.release() }
            try job.run(path: path)
            let state = job.pointer.pointee
            guard let output = state.output, state.outputSize > 0 else {
                throw DataError.writeFailed(path: path, reason: "libjpeg produced no data")
            }
            return [UInt8](UnsafeBufferPointer(start: output, count: Int(state.outputSize)))
        }
    }

    /// Encodes as JPEG and writes `path` atomically (temporary file, then rename).
    public static func encodeJPEG(pixels: [UInt8], width: Int, height: Int, channels: Int, quality: Int = 95,
                                  to path: String) throws {
        try atomicWrite(encodeJPEG(pixels: pixels, width: width, height: height, channels: channels,
                                   quality: quality, path: path), to: path)
    }
}

/// Everything the encoder thread touches, in manually managed memory only.
struct JPEGEncodeState {
    var pixels: UnsafePointer<UInt8>?
    var width = 0, height = 0, channels = 0, quality = 95
    var cinfo = UnsafeMutablePointer<jpeg_compress_struct>.allocate(capacity: 1)
    var errorManager = UnsafeMutablePointer<jpeg_error_mgr>.allocate(capacity: 1)
    var message = UnsafeMutablePointer<CChar>.allocate(capacity: Int(JMSG_LENGTH_MAX) + 1)
    var failed = false
    var output: UnsafeMutablePointer<UInt8>?
    var outputSize: UInt = 0
}

/// Owner of one `JPEGEncodeState` and the helper thread that fills it.
struct JPEGEncodeJob {
    let pointer: UnsafeMutablePointer<JPEGEncodeState>

    init(pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int, quality: Int) {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: JPEGEncodeState())
        pointer.pointee.pixels = pixels.baseAddress
        (pointer.pointee.width, pointer.pointee.height) = (width, height)
        (pointer.pointee.channels, pointer.pointee.quality) = (channels, quality)
        pointer.pointee.message.initialize(repeating: 0, count: Int(JMSG_LENGTH_MAX) + 1)
        let err = jpeg_std_error(pointer.pointee.errorManager)!
        err.pointee.error_exit = jpegEncodeErrorExit
        err.pointee.emit_message = { _, _ in }
        pointer.pointee.cinfo.pointee.err = err
        jpeg_CreateCompress(pointer.pointee.cinfo, JPEG_LIB_VERSION, MemoryLayout<jpeg_compress_struct>.size)
        pointer.pointee.cinfo.pointee.client_data = UnsafeMutableRawPointer(pointer)
    }

    /// Encodes on the helper thread and waits for it.
    func run(path: String) throws {
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, jpegEncodeThreadMain, UnsafeMutableRawPointer(pointer))
        guard created == 0 else {
            throw DataError.writeFailed(path: path, reason: "cannot start JPEG encoder thread: \(String(cString: strerror(created)))")
        }
        pthread_join(thread, nil)
        if pointer.pointee.failed {
            throw DataError.writeFailed(path: path, reason: "cannot encode JPEG: \(String(cString: pointer.pointee.message))")
        }
    }

    /// Frees libjpeg's pools, the output and the state.
    func release() {
        jpeg_destroy_compress(pointer.pointee.cinfo)
        free(pointer.pointee.output)
        pointer.pointee.cinfo.deallocate()
        pointer.pointee.errorManager.deallocate()
        pointer.pointee.message.deallocate()
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}

/// Records libjpeg's message and ends the helper thread (libjpeg's `error_exit` must not return).
private let jpegEncodeErrorExit: @convention(c) (j_common_ptr?) -> Void = { cinfo in
    guard let cinfo else { return }
    let state = cinfo.pointee.client_data.assumingMemoryBound(to: JPEGEncodeState.self)
    cinfo.pointee.err.pointee.format_message?(cinfo, state.pointee.message)
    state.pointee.failed = true
    pthread_exit(nil)
}

/// The helper thread: defaults, quality, every scanline, into a libjpeg-allocated memory buffer.
private let jpegEncodeThreadMain: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
    let state = raw!.assumingMemoryBound(to: JPEGEncodeState.self)
    let cinfo = state.pointee.cinfo
    // libjpeg keeps these two addresses until jpeg_finish_compress: take them from the state's
    // fixed memory, never from a temporary.
    let base = UnsafeMutableRawPointer(state)
    let output = (base + MemoryLayout<JPEGEncodeState>.offset(of: \.output)!)
        .assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
    let outputSize = (base + MemoryLayout<JPEGEncodeState>.offset(of: \.outputSize)!).assumingMemoryBound(to: UInt.self)
    jpeg_mem_dest(cinfo, output, outputSize)
    cinfo.pointee.image_width = JDIMENSION(state.pointee.width)
    cinfo.pointee.image_height = JDIMENSION(state.pointee.height)
    cinfo.pointee.input_components = Int32(state.pointee.channels)
    cinfo.pointee.in_color_space = state.pointee.channels == 1 ? JCS_GRAYSCALE : JCS_RGB
    jpeg_set_defaults(cinfo)
    jpeg_set_quality(cinfo, Int32(state.pointee.quality), 1)
    jpeg_start_compress(cinfo, 1)
    let rowBytes = state.pointee.width * state.pointee.channels
    while cinfo.pointee.next_scanline < cinfo.pointee.image_height, let pixels = state.pointee.pixels {
        var row: UnsafeMutablePointer<UInt8>? = UnsafeMutablePointer(mutating: pixels + Int(cinfo.pointee.next_scanline) * rowBytes)
        _ = jpeg_write_scanlines(cinfo, &row, 1)
    }
    jpeg_finish_compress(cinfo)
    return nil
}
