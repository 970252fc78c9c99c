import SlimGraph
import SlimQuant
import SlimTensor
import XCTest
@testable import SlimONNX

/// Programs that cannot be exported fail with an error naming the op.
final class ExportErrorTests: XCTestCase {
    private func exportError(_ program: Program, _ params: [String: Tensor], file: StaticString = #filePath, line: UInt = #line) -> ONNXExportError? {
        do {
            _ = try ONNXExporter().export(program, params: params)
            XCTFail("export should fail", file: file, line: line)
        } catch let error as ONNXExportError {
            return error
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
        return nil
    }

    func testUnsupportedOpIsNamed() throws {
        var model = try ExportFixtures.float(LeNet5(numClasses: 10), inputShape: [1, 28, 28])
        let i = try XCTUnwrap(model.program.ops.firstIndex { $0.type == "relu" })
        model.program.ops[i].type = "bilinear_interp"
        let error = try XCTUnwrap(exportError(model.program, model.params))
        XCTAssertEqual(error.opType, "bilinear_interp")
        XCTAssertTrue(error.description.hasPrefix("cannot export to ONNX: op 'bilinear_interp' (writing 'conv2d_0.tmp_2') has no ONNX translation"), error.description)
        XCTAssertTrue(error.description.contains("conv2d"), "lists what can be exported: \(error.description)")
    }

    func testTrainingOpsInTheFetchedPathAreNamed() throws {
        let built = LeNet5(numClasses: 10).build(inputShape: [1, 28, 28], seed: 1)
        var program = built.program
        program.feeds = [built.image, built.label]
        program.fetches = [built.head.loss]
        let error = try XCTUnwrap(exportError(program, built.params))
        XCTAssertEqual(error.opType, "softmax_with_cross_entropy", error.description)
    }

    func testQATProgramAsksForFreezing() throws {
        let qat = try ExportFixtures.qat(LeNet5(numClasses: 10), inputShape: [1, 28, 28], weights: .absMax)
        let error = try XCTUnwrap(exportError(qat.program, qat.params))
        XCTAssertTrue(error.opType?.hasPrefix("fake_") == true, error.description)
        XCTAssertTrue(error.description.contains("QAT program"), error.description)
        XCTAssertTrue(error.description.contains("slim freeze"), error.description)
    }

    func testMulWithOtherColumnDimsIsRefused() throws {
        var model = try ExportFixtures.float(LeNet5(numClasses: 10), inputShape: [1, 28, 28])
        let i = try XCTUnwrap(model.program.ops.firstIndex { $0.type == "mul" })
        model.program.ops[i].attrs["x_num_col_dims"] = .int(2)
        let error = try XCTUnwrap(exportError(model.program, model.params))
        XCTAssertEqual(error.opType, "mul")
        XCTAssertTrue(error.description.contains("x_num_col_dims 2"), error.description)
    }

    func testWideActivationQuantizerIsRefused() throws {
        var frozen = try ExportFixtures.frozen(LeNet5(numClasses: 10), inputShape: [1, 28, 28], weights: .absMax)
        let i = try XCTUnwrap(frozen.program.ops.firstIndex { $0.type.hasPrefix("fake_quantize") })
        frozen.program.ops[i].attrs["bit_length"] = .int(16)
        let error = try XCTUnwrap(exportError(frozen.program, frozen.params))
        XCTAssertEqual(error.opType, "fake_quantize_moving_average_abs_max")
        XCTAssertTrue(error.description.contains("bit_length 16"), error.description)
    }

    func testNonIntegerFrozenWeightIsRefused() throws {
        var frozen = try ExportFixtures.frozen(LeNet5(numClasses: 10), inputShape: [1, 28, 28], weights: .absMax)
        var w = try XCTUnwrap(frozen.params["conv2d_0.w_0"]).floats
        w[0] = 0.5
        frozen.params["conv2d_0.w_0"] = Tensor(shape: [6, 1, 5, 5], floats: w)
        let error = try XCTUnwrap(exportError(frozen.program, frozen.params))
        XCTAssertEqual(error.opType, "conv2d")
        XCTAssertTrue(error.description.contains("conv2d_0.w_0") && error.description.contains("0.5"), error.description)
    }

    func testQuantizedOpWithoutDequantizerIsRefused() throws {
        let int8 = try ExportFixtures.int8(try ExportFixtures.frozen(LeNet5(numClasses: 10), inputShape: [1, 28, 28], weights: .absMax))
        var program = int8.program
        // Drop the dequantizer after the first conv: it would read integers as floats.
        let i = try XCTUnwrap(program.ops.firstIndex { $0.type == "fake_dequantize_max_abs" })
        let out = try XCTUnwrap(program.ops[i].output("Out")), x = try XCTUnwrap(program.ops[i].input("X"))
        program.ops.remove(at: i)
        for k in program.ops.indices { program.ops[k].inputs = program.ops[k].inputs.mapValues { $0.map { $0 == out ? x : $0 } } }
        let error = try XCTUnwrap(exportError(program, int8.params))
        XCTAssertEqual(error.opType, "conv2d", error.description)
        XCTAssertTrue(error.description.contains("reads 'image.quantized', the integer output of"), error.description)
    }
}
