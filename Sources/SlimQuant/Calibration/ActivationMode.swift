/// Whether calibrated activations are quantized symmetrically (int8 levels -127...127 around 0,
/// slim's and Paddle's quantizers) or asymmetrically (uint8 0...255 with a zero point, ONNX
/// Runtime's `quantize_static` default and NNCF's `asymmetric` mode): the asymmetric grid spends
/// no levels on values that never occur, e.g. below the smallest value of a tensor that is
/// mostly positive. Asymmetric activations are calibrated (`abs_max`: the observed minimum and
/// maximum, `avg`: the means of the per-batch minima and maxima), not trained.
public enum ActivationMode: String, CaseIterable, Codable, Sendable {
    case symmetric
    case asymmetric
}
