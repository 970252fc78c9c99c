import SlimGraph

/// Zoo models saved as model directories, for tests that need a model on disk.
public enum ZooModelFiles {
    /// Saves an untrained zoo classifier (`[1, 28, 28]` input, parameters of seed 5) as an
    /// inference model directory at `path`.
    public static func saveUntrained(_ architecture: String, numClasses: Int, to path: String) throws {
        let built = try ModelZoo.model(architecture, options: .init(), numClasses: numClasses).build(inputShape: [1, 28, 28], seed: 5)
        let program = try built.program.pruned(feeds: [built.image], fetches: [built.head.output])
        try ModelFile.save(program: program, params: built.params, to: path)
    }
}
