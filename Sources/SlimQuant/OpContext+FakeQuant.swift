import SlimGraph
import SlimTensor

extension OpContext {
    /// The value of input `slot`, which must be f32.
    /// - Throws: `GraphError` for a missing input or another dtype.
    func floatInput(_ slot: String, _ index: Int = 0) throws -> Tensor {
        let t = try input(slot, index)
        guard t.dtype == .f32 else { throw GraphError("op '\(op.type)': input \(slot) must be f32, got \(t.dtype)") }
        return t
    }

    /// Whether a quantizer uses its stored scale: the `is_test` attr, or an eval-mode run.
    var usesStoredScale: Bool { op.bool("is_test", default: false) || !isTraining }

    /// Passes `dOut` of slot `Out` to input `X` where `|x| <= s[c]` (the straight-through
    /// estimator), using the scales forward saved under `"scales"`: unchanged when forward saved
    /// `"unmasked"` (every element within its scale, `FakeQuant.absMaxCheckingFinite`), else
    /// masked over `dOut`'s own bytes when the executor handed them over
    /// (`FakeQuant.applyStraightThrough`).
    func straightThroughToX() throws {
        guard needsGrad("X"), var g = takeOutputGrad("Out"), let scales = saved["scales"] as? [Float] else { return }
        if saved["unmasked"] as? Bool != true {
            FakeQuant.applyStraightThrough(&g, input: try input("X"), scales: scales)
        }
        addInputGrad("X", 0, g)
    }

    /// Passes `dOut` of slot `Out` unchanged to input `X` (dequantizers).
    func passGradToX() {
        guard needsGrad("X"), let g = outputGrad("Out") else { return }
        addInputGrad("X", 0, g)
    }
}
