/// One operation of a program, named and slotted as in Paddle Fluid 1.6
/// (`conv2d` with `Input`/`Filter` -> `Output`, attrs `strides`, `paddings`, ...).
public struct OpDesc: Codable, Hashable, Sendable {
    public var type: String
    public var inputs: [String: [String]]
    public var outputs: [String: [String]]
    public var attrs: [String: Attribute]

    public init(type: String, inputs: [String: [String]] = [:], outputs: [String: [String]] = [:], attrs: [String: Attribute] = [:]) {
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs
    }

    /// The first var of input slot `slot`, if any.
    public func input(_ slot: String) -> String? { inputs[slot]?.first }
    /// The first var of output slot `slot`, if any.
    public func output(_ slot: String) -> String? { outputs[slot]?.first }
    /// Every input var name, slots in name order.
    public var inputNames: [String] { inputs.keys.sorted().flatMap { inputs[$0]! } }
    /// Every output var name, slots in name order.
    public var outputNames: [String] { outputs.keys.sorted().flatMap { outputs[$0]! } }

    public func int(_ name: String, default value: Int) -> Int { attrs[name]?.intValue ?? value }
    public func float(_ name: String, default value: Double) -> Double { attrs[name]?.floatValue ?? value }
    public func bool(_ name: String, default value: Bool) -> Bool { attrs[name]?.boolValue ?? value }
    public func string(_ name: String, default value: String) -> String { attrs[name]?.stringValue ?? value }
    public func ints(_ name: String, default value: [Int]) -> [Int] { attrs[name]?.intsValue ?? value }
    public func floats(_ name: String, default value: [Double]) -> [Double] { attrs[name]?.floatsValue ?? value }
}
