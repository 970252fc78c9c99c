/// A named output of a model (an entry of PaddleDetection's `outputs` dict): what evaluation,
/// inference and `save_out_nodes` default to.
///
/// Classification has one, `probabilities` (the softmax `fc_N.tmp_2`); a detector's is `bbox`
/// (`multiclass_nms_0.tmp_0`).
public struct OutputSpec: Codable, Hashable, Sendable {
    /// The role of the output (`probabilities`, `bbox`).
    public var name: String
    /// The program var holding it.
    public var variable: String

    public init(name: String, variable: String) {
        self.name = name
        self.variable = variable
    }
}
