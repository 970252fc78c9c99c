import Foundation

/// The catalogue of configurable modules, their options, defaults and docs.
///
/// Pre-filled with slim's built-in modules (`ModuleRegistry+Builtin.swift`); other layers may
/// `register` more. Lookups are thread-safe.
public final class ModuleRegistry: @unchecked Sendable {
    public static let shared = ModuleRegistry(modules: ModuleRegistry.builtinModules)

    private var modules: [String: ModuleSchema]
    private let lock = NSLock()

    init(modules: [ModuleSchema]) {
        self.modules = Dictionary(modules.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
    }

    /// Adds or replaces a module.
    public func register(_ module: ModuleSchema) {
        lock.lock(); defer { lock.unlock() }
        modules[module.name] = module
    }

    public func module(_ name: String) -> ModuleSchema? {
        lock.lock(); defer { lock.unlock() }
        return modules[name]
    }

    /// All modules, sorted by name.
    public var all: [ModuleSchema] {
        lock.lock(); defer { lock.unlock() }
        return modules.values.sorted { $0.name < $1.name }
    }

    /// All module names, sorted.
    public var names: [String] {
        lock.lock(); defer { lock.unlock() }
        return modules.keys.sorted()
    }
}
