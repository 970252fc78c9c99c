import SlimGraph
import SlimTrain

extension TrainingSession {
    /// The feeds and fetches of a strategy's saved models: `save_in_nodes` and `save_out_nodes`,
    /// each defaulting (when empty) to the model's inference feeds and outputs.
    /// - Parameter strategy: the strategy's name, for the error.
    /// - Throws: `GraphError` when a named node is not a var of the program.
    func saveNodes(inNodes: [String], outNodes: [String], strategy: String) throws -> (feeds: [String], fetches: [String]) {
        let feeds = inNodes.isEmpty ? interface.inferenceFeeds : inNodes
        let fetches = outNodes.isEmpty ? interface.outputVars : outNodes
        for name in feeds + fetches where !program.has(name) {
            throw GraphError("\(strategy): save_in_nodes/save_out_nodes name '\(name)', which is not a var of the model",
                             hints: ["this model's \(Self.listing(interface.inferenceFeeds, "input")) and its \(Self.listing(interface.outputVars, "output")); leave the lists empty to use them"])
        }
        return (feeds, fetches)
    }

    /// "input is 'a'" or "inputs are 'a', 'b'".
    private static func listing(_ names: [String], _ noun: String) -> String {
        let quoted = names.map { "'\($0)'" }.joined(separator: ", ")
        return names.count == 1 ? "\(noun) is \(quoted)" : "\(noun)s are \(quoted)"
    }
}
