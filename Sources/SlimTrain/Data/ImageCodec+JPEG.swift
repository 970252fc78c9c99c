import CJPEG
import Foundation

extension ImageCodec {
    /// Decodes baseline or progressive JPEG bytes with libjpeg: gray images become 1 channel,
    /// colour (YCbCr/RGB) ones 3.
    ///
    /// libjpeg reports fatal errors through `error_exit`, which must not return, and Swift cannot
    /// `longjmp`. The decode therefore runs on a short-lived helper thread whose `error_exit`
    /// records the message and ends that thread with `pthread_exit`; the caller joins it, frees
    /// libjpeg's memory with `jpeg_destroy_decompress`, and throws. Warnings are silenced, except a
    /// premature end of data, which is an error (a truncated file).
    ///
    /// Decompression bombs: the size the header declares is checked right after
    /// `jpeg_read_header`, before `jpeg_start_decompress` allocates anything image-sized
    /// (`width * height * components <= maxDecodedBytes`), and libjpeg's own memory for
    /// whole-image buffers (progressive files) is capped at `4 * maxDecodedBytes`.
    /// - Throws: `DataError.malformed` naming `path` and libjpeg's message or the declared size.
    public static func decodeJPEG(_ data: [UInt8], path: String) throws -> DecodedImage {
        guard data.count >= 4, data[0] == 0xFF, data[1] == 0xD8 else {
            throw DataError.malformed(path: path, reason: "expected a JPEG start-of-image marker FF D8")
        }
        return try data.withUnsafeBufferPointer { buffer in
            let job = JPEGDecodeJob(input: buffer)
            defer { job.release() }
            try job.run(path: path)
            guard let output = job.pointee.output else {
                throw DataError.malformed(path: path, reason: "cannot decode JPEG: no image produced")
            }
            let p = job.pointee
            let pixels = [UInt8](UnsafeBufferPointer(start: output, count: p.width * p.height * p.channels))
            return DecodedImage(width: p.width, height: p.height, channels: p.channels, pixels: pixels)
        }
    }
}

/// Everything the JPEG helper thread touches, in manually managed memory only (the thread may
/// end in the middle of a libjpeg call, so it must not own any Swift references).
struct JPEGDecodeState {
    var input: UnsafePointer<UInt8>?
    var inputSize = 0
    var cinfo = UnsafeMutablePointer<jpeg_decompress_struct>.allocate(capacity: 1)
    var errorManager = UnsafeMutablePointer<jpeg_error_mgr>.allocate(capacity: 1)
    var message = UnsafeMutablePointer<CChar>.allocate(capacity: Int(JMSG_LENGTH_MAX) + 1)
    var failed = false
    /// The size `jpeg_read_header` found, and whether it was refused as too large or empty.
    var declared = (width: 0, height: 0, components: 0, refused: false)
    var width = 0, height = 0, channels = 0
    var output: UnsafeMutablePointer<UInt8>?
}

/// Owner of one `JPEGDecodeState` and the helper thread that fills it.
struct JPEGDecodeJob {
    let pointer: UnsafeMutablePointer<JPEGDecodeState>

    init(input: UnsafeBufferPointer<UInt8>) {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: JPEGDecodeState())
        pointer.pointee.input = input.baseAddress
        pointer.pointee.inputSize = input.count
        pointer.pointee.message.initialize(repeating: 0, count: Int(JMSG_LENGTH_MAX) + 1)
        let err = jpeg_std_error(pointer.pointee.errorManager)!
        err.pointee.error_exit = jpegErrorExit
        err.pointee.emit_message = jpegEmitMessage
        pointer.pointee.cinfo.pointee.err = err
        jpeg_CreateDecompress(pointer.pointee.cinfo, JPEG_LIB_VERSION, MemoryLayout<jpeg_decompress_struct>.size)
        pointer.pointee.cinfo.pointee.mem.pointee.max_memory_to_use = 4 * ImageCodec.maxDecodedBytes
        pointer.pointee.cinfo.pointee.client_data = UnsafeMutableRawPointer(pointer)
    }

    var pointee: JPEGDecodeState { pointer.pointee }

    /// Decodes on the helper thread and waits for it.
    func run(path: String) throws {
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, jpegDecodeThreadMain, UnsafeMutableRawPointer(pointer))
        guard created == 0 else {
            throw DataError.malformed(path: path, reason: "cannot start JPEG decoder thread: \(String(cString: strerror(created)))")
        }
        pthread_join(thread, nil)
        let declared = pointer.pointee.declared
        if declared.refused {
            let size = "\(declared.width)x\(declared.height) pixels of \(declared.components) components"
            throw DataError.malformed(path: path, reason: declared.width == 0 || declared.height == 0 ? "JPEG declares an empty image of \(size)"
                                          : "JPEG declares \(size), more than the \(ImageCodec.maxDecodedBytes) bytes a decoded image may take")
        }
        if pointer.pointee.failed {
            throw DataError.malformed(path: path, reason: "cannot decode JPEG: \(String(cString: pointer.pointee.message))")
        }
    }

    /// Frees libjpeg's pools, the output and the state.
    func release() {
        jpeg_destroy_decompress(pointer.pointee.cinfo)
        free(pointer.pointee.output)
        pointer.pointee.cinfo.deallocate()
        pointer.pointee.errorManager.deallocate()
        pointer.pointee.message.deallocate()
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}

private func jpegState(_ cinfo: j_common_ptr) -> UnsafeMutablePointer<JPEGDecodeState> {
    cinfo.pointee.client_data.assumingMemoryBound(to: JPEGDecodeState.self)
}

/// Records libjpeg's message and ends the helper thread (libjpeg's `error_exit` must not return).
private let jpegErrorExit: @convention(c) (j_common_ptr?) -> Void = { cinfo in
    guard let cinfo else { return }
    let state = jpegState(cinfo)
    cinfo.pointee.err.pointee.format_message?(cinfo, state.pointee.message)
    state.pointee.failed = true
    pthread_exit(nil)
}

/// Silences libjpeg's trace and warning output; a premature end of data is fatal.
private let jpegEmitMessage: @convention(c) (j_common_ptr?, Int32) -> Void = { cinfo, level in
    guard let cinfo, level < 0 else { return }
    let err = cinfo.pointee.err.pointee
    guard err.msg_code >= 0, err.msg_code <= err.last_jpeg_message,
          let template = err.jpeg_message_table?[Int(err.msg_code)] else { return }
    // JWRN_JPEG_EOF (jerror.h is not part of the module): the data ended before the image did.
    if strcmp(template, "Premature end of JPEG file") == 0 { jpegErrorExit(cinfo) }
}

/// The helper thread: header, decompress to gray or RGB, every scanline into a malloc'ed buffer.
private let jpegDecodeThreadMain: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
    let state = raw!.assumingMemoryBound(to: JPEGDecodeState.self)
    let cinfo = state.pointee.cinfo
    jpeg_mem_src(cinfo, state.pointee.input, UInt(state.pointee.inputSize))
    _ = jpeg_read_header(cinfo, 1)
    let declared = (width: Int(cinfo.pointee.image_width), height: Int(cinfo.pointee.image_height),
                    components: Int(cinfo.pointee.num_components))
    guard declared.width > 0, declared.height > 0,
          declared.width * declared.height * max(declared.components, 1) <= ImageCodec.maxDecodedBytes else {
        state.pointee.declared = (declared.width, declared.height, declared.components, true)
        return nil
    }
    cinfo.pointee.out_color_space = cinfo.pointee.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB
    _ = jpeg_start_decompress(cinfo)
    let width = Int(cinfo.pointee.output_width), height = Int(cinfo.pointee.output_height)
    let channels = Int(cinfo.pointee.output_components)
    guard width > 0, height > 0, width * height * channels <= ImageCodec.maxDecodedBytes,
          let output = malloc(width * height * channels)?.assumingMemoryBound(to: UInt8.self) else {
        strcpy(state.pointee.message, "image is empty or too large")
        state.pointee.failed = true
        return nil
    }
    state.pointee.output = output
    (state.pointee.width, state.pointee.height, state.pointee.channels) = (width, height, channels)
    while cinfo.pointee.output_scanline < cinfo.pointee.output_height {
        var row: UnsafeMutablePointer<UInt8>? = output + Int(cinfo.pointee.output_scanline) * width * channels
        _ = jpeg_read_scanlines(cinfo, &row, 1)
    }
    _ = jpeg_finish_decompress(cinfo)
    return nil
}
