// swift-tools-version:5.10
// slim: declarative neural-network compression (QAT, freeze, INT8) from YAML.
// Layers (arrows point down only, see docs/ARCHITECTURE.md section 2):
//   slim -> SlimCLI -> SlimCompress -> SlimTrain -> SlimQuant -> SlimGraph -> SlimTensor -> C libraries
//   SlimConfig (YAML over libyaml) is used by SlimTrain, SlimCompress and SlimCLI.
//   SlimONNX (ONNX export over SwiftProtobuf's runtime) sits on SlimGraph and is used by SlimCompress
//   (mobile_model_save_path) and SlimCLI.
import PackageDescription

// Every host slim builds and runs on is an x86-64 with AVX2 and FMA (Haswell or newer, or AVX-512):
// the layers with element loops (quantizers, optimizers, data transforms) are compiled for that
// baseline instead of SSE2, so their SIMD16 code runs 8 lanes a step. Swift emits no fast-math
// flags, so no product is fused into an FMA and every result keeps its bits.
// The same layers are optimized in debug builds too: the tests' `slim` binary runs real training,
// calibration and inference, whose SIMD code is 10-100x slower unoptimized.
let vectorLoops: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"]), .unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "slim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "slim", targets: ["slim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.11.0"),   // LogHandler.log(event:)
        // The runtime library only (never its protoc plugin: onnx.pb.swift is generated once and committed, `make onnx-proto`).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // System libraries (Debian packages installed by the Makefile).
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),

        // Library layers.
        .target(name: "SlimConfig", dependencies: ["CLibYAML"]),
        .target(name: "SlimTensor", dependencies: ["CDNNL"], swiftSettings: vectorLoops),
        .target(name: "SlimGraph", dependencies: ["SlimTensor"], swiftSettings: vectorLoops),
        .target(name: "SlimQuant", dependencies: ["SlimGraph", "SlimTensor"], exclude: ["README.md"], swiftSettings: vectorLoops),
        .target(name: "SlimTrain", dependencies: ["SlimQuant", "SlimGraph", "SlimTensor", "SlimConfig", "CZlib", "CPNG", "CJPEG"],
                swiftSettings: vectorLoops),
        .target(name: "SlimCompress", dependencies: ["SlimTrain", "SlimQuant", "SlimONNX", "SlimGraph", "SlimTensor", "SlimConfig"]),
        .target(name: "SlimONNX", dependencies: [
            "SlimQuant", "SlimGraph", "SlimTensor", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["README.md"]),
        .target(name: "SlimCLI", dependencies: [
            "SlimONNX", "SlimCompress", "SlimTrain", "SlimQuant", "SlimGraph", "SlimTensor", "SlimConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "slim", dependencies: ["SlimCLI"]),

        // Tests: one target per library target (added with each layer's first tests), plus end-to-end tests of the built binary.
        // SlimTestSupport: fixtures several test targets share (the tiny YOLOv3, zoo models on disk); never part of slim.
        .target(name: "SlimTestSupport", dependencies: ["SlimGraph", "SlimTensor"], path: "Tests/SlimTestSupport"),
        .testTarget(name: "SlimConfigTests", dependencies: ["SlimConfig", "SlimTensor"]),
        .testTarget(name: "SlimCLITests", dependencies: [
            "SlimCLI", "SlimTrain", "SlimQuant", "SlimGraph", "SlimONNX", "SlimTestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .testTarget(name: "SlimTensorTests", dependencies: ["SlimTensor"]),
        .testTarget(name: "SlimGraphTests", dependencies: ["SlimGraph", "SlimTensor", "SlimTestSupport"], exclude: ["Fixtures"]),  // fixtures read via #filePath
        .testTarget(name: "SlimTrainTests", dependencies: ["SlimTrain", "SlimQuant", "SlimGraph", "SlimConfig", "SlimTensor", "CJPEG"]),
        .testTarget(name: "SlimQuantTests", dependencies: ["SlimQuant", "SlimGraph", "SlimTensor", "SlimTestSupport"]),
        .testTarget(name: "SlimCompressTests", dependencies: ["SlimCompress", "SlimTrain", "SlimConfig", "SlimTestSupport"]),
        .testTarget(name: "SlimONNXTests", dependencies: [
            "SlimONNX", "SlimQuant", "SlimGraph", "SlimTensor", "SlimTestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
    ]
)
