/// Activation a builder layer may append.
public enum Activation: String, CaseIterable, Sendable {
    case relu, relu6
}

/// Seeded weight initializers.
public enum Initializer: Sendable {
    /// Uniform in ±sqrt(6 / (fanIn + fanOut)) (Glorot).
    case xavierUniform(fanIn: Int, fanOut: Int)
    /// Normal with std sqrt(2 / fanIn) (He), for layers followed by ReLU.
    case msraNormal(fanIn: Int)
    /// Every element `value`.
    case constant(Float)
    /// These elements, row-major (a fixed matrix).
    case values([Float])
}
