import ArgumentParser
import Foundation
import SlimGraph
import SlimQuant
import SlimTrain

/// `slim bench`: the speed and peak memory of one model configuration (docs/ARCHITECTURE.md section 9).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure images/s, latency and peak memory of one model configuration.",
        discussion: """
        Runs --warmup untimed steps, then --steps timed ones, and reports the median step time, \
        images/s (batch / median) and the peak resident memory of the process (ru_maxrss). \
        A train step is forward + backward + Momentum update; a qat step is the same on the \
        program after the quantization transform (fake quantization of conv and mul inputs, \
        --weight_quantize_type x --activation_quantize_type, 8 bits); an infer step is an eval-mode \
        forward of the softmax output. --profile adds the time per op type and phase. Models: lenet (1x28x28), mbv1 (MobileNetV1 1.0, 3x32x32), \
        resnet20 (CIFAR ResNet-20, 3x32x32), yolov3_mbv1 (YOLOv3-MobileNetV1, 80 classes, square \
        --image_size images; train = the whole program with three yolov3_loss on synthetic boxes, \
        infer = forward up to the three raw head outputs, yolo_box and NMS being a post-process; \
        --dtype int8 calibrates on synthetic images and runs the INT8 engine), \
        or a saved model directory (inference only; use ./NAME for a directory named like a zoo model). `make bench` compares these with PyTorch and \
        ONNX Runtime (bench/run.sh).
        """
    )

    @Option(help: "lenet, mbv1, resnet20, yolov3_mbv1, or a model directory.")
    var model: String

    @Option(help: "train, qat (a train step with fake quantization) or infer.")
    var mode: BenchConfiguration.Mode

    @Option(help: "fp32 or int8 (default: fp32, or the model directory's own precision).")
    var dtype: BenchConfiguration.Precision?

    @Option(help: "Images per step.")
    var batch = 64

    @Option(help: "oneDNN (OpenMP) threads.")
    var threads = 2

    @Option(help: "Timed steps (the median is reported).")
    var steps = 20

    @Option(help: "Untimed steps first (primitive creation, caches).")
    var warmup = 5

    @Option(help: "synthetic (one seeded batch) or real (Fashion-MNIST through the DataLoader; lenet only).")
    var data: BenchConfiguration.DataSource = .synthetic

    @Option(name: .customLong("image_size"), help: "yolov3_mbv1's image side, a multiple of 32 (default 416; e.g. 320, 608).")
    var imageSize: Int?

    @Option(help: "yolov3_mbv1's width multiplier of backbone and head (as MobileNet.scale in a model YAML).")
    var scale = 1.0

    @Option(name: .customLong("weight_quantize_type"), help: "--mode qat: abs_max or channel_wise_abs_max.")
    var weightQuantizeType: WeightQuantizeType = BenchConfiguration.qatScheme.weightQuantizeType

    @Option(name: .customLong("activation_quantize_type"), help: "--mode qat: abs_max, range_abs_max or moving_average_abs_max.")
    var activationQuantizeType: ActivationQuantizeType = BenchConfiguration.qatScheme.activationQuantizeType

    @Flag(help: "Also time every op of the timed steps: ms per step by op type and phase (forward, backward), reorders to plain inside them.")
    var profile = false

    @Flag(help: "Print one JSON object: model, mode, dtype, batch, threads, median_ms, images_per_s, peak_rss_mb.")
    var json = false

    @Option(name: .customLong("save_model"),
            help: "--mode infer of a zoo model: also save the model timed to this directory (FP32: the inference program; INT8: the converted model, as slim freeze's int8/), to time it as loaded from disk with --model DIR.")
    var saveModel: String?

    @Flag(name: .customLong("int8_residual"), help: "--dtype int8 of a zoo model: sum residual shortcuts as 8-bit integers (as slim freeze --int8_residual).")
    var int8Residual = false

    @Option(name: .customLong("weight_bits"),
            help: "--dtype int8 of a zoo model: weight bits (default 8). 7 runs signed activations as one convolution on CPUs without AVX-512 VNNI (as slim calibrate/freeze --weight_bits 7).")
    var weightBits = 8

    func run() throws {
        var scheme = BenchConfiguration.qatScheme
        scheme.weightQuantizeType = weightQuantizeType
        scheme.activationQuantizeType = activationQuantizeType
        var config = BenchConfiguration(target: BenchTarget(model), mode: mode, precision: dtype, batch: batch,
                                        threads: threads, steps: steps, warmup: warmup, data: data, imageSize: imageSize, scale: scale,
                                        quantization: scheme)
        config.profile = profile
        config.saveModel = saveModel
        config.integerResiduals = int8Residual
        config.int8WeightBits = weightBits
        do {
            let result = try Benchmark.measure(config)
            print(json ? result.jsonLine : result.summary)
            printSignedInputNote(toStandardError: json)
            if let table = result.profile {
                if json { FileHandle.standardError.write(Data((table + "\n").utf8)) } else { print(table) }
            }
        } catch let error as BenchError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(error.kind == .usage ? 64 : 1)
        } catch let error as ModelFileError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(65)
        } catch let error as DataError {
            FileHandle.standardError.write(Data(("error: \(error.description)\n").utf8))
            throw ExitCode(65)
        } catch {
            FileHandle.standardError.write(Data(("error: \(error)\n").utf8))
            throw ExitCode(1)
        }
    }
}
