import Foundation
import SlimGraph
import SwiftProtobuf

/// Reads an ONNX model into a slim program and params (the inverse of `ONNXExporter` for the
/// ops both know, plus common ops of models exported by other frameworks).
///
/// Inputs must be float NCHW tensors; their first dimension becomes the dynamic batch (-1) and
/// every other dimension must be known (from the file or `inputShape`). Constant inputs and
/// shape subgraphs (`Shape` -> `Gather` -> `Unsqueeze` -> `Concat`) are evaluated at import.
public struct ONNXImporter: Sendable {
    /// The default-domain opsets whose operator semantics the converters follow.
    public static let supportedOpsets = 9...21

    /// Dims (after the batch) for a graph input whose dims the file leaves symbolic, or that
    /// override them: [C, H, W] or [N, C, H, W] (N is ignored; the batch is dynamic).
    public var inputShape: [Int]?

    public init(inputShape: [Int]? = nil) { self.inputShape = inputShape }

    /// Imports the ONNX file at `path`.
    /// - Throws: `ONNXImportError` (`.io` when the file cannot be read, `.malformed` when it is
    ///   not an ONNX model, `.unsupported` naming the first node slim cannot translate).
    public func importModel(at path: String) throws -> ImportedModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ONNXImportError(.io, "\(path): \(exists ? "cannot be read" : "no such file")")
        }
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ONNXImportError(.malformed, "\(path) is not an ONNX model (the protobuf does not parse: \(error))")
        }
        guard proto.hasGraph, !proto.graph.node.isEmpty, !proto.graph.output.isEmpty else {
            throw ONNXImportError(.malformed, "\(path) is not an ONNX model (no graph with nodes and outputs)")
        }
        return try importModel(proto)
    }

    func importModel(_ proto: Onnx_ModelProto) throws -> ImportedModel {
        let opset = try Self.opset(of: proto)
        let graph = proto.graph
        var context = ImportContext(opset: opset)
        let feeds = try declareInputs(graph, in: &context)
        var folded = 0
        for node in graph.node {
            context.node = node
            guard node.domain.isEmpty || node.domain == "ai.onnx" else { throw ONNXImportError.unsupportedOp(node, opset: opset) }
            if try QDQImporter.absorb(&context) { continue }
            if try ConstantFolder.fold(&context) {
                folded += 1
                continue
            }
            guard let converter = ImportConverters.table[node.opType] else { throw ONNXImportError.unsupportedOp(node, opset: opset) }
            try converter.convert(&context)
        }
        var program = context.program
        program.feeds = feeds
        program.fetches = try graph.output.map { output in
            guard let v = context.vars[output.name] else {
                let constant = context.constants[output.name] != nil
                throw ONNXImportError(constant ? .unsupported : .malformed,
                                      "graph output '\(output.name)' is \(constant ? "a constant" : "not produced by any node")")
            }
            return v
        }
        program = Self.namingFetches(program, as: graph.output.map(\.name))
        _ = HardSwishPattern.rewrite(&program, params: context.params)
        _ = ConvBiasPattern.rewrite(&program, params: &context.params)
        if context.qdq.quantizedOps > 0 {   // the Clips absorbed by QDQ quantizers
            do {
                program = try program.pruned(feeds: program.feeds, fetches: program.fetches)
            } catch let error as GraphError {
                throw ONNXImportError(.malformed, "the imported program is inconsistent: \(error.message)")
            }
        }
        do {
            try program.verify()
        } catch let error as GraphError {
            throw ONNXImportError(.malformed, "the imported program is inconsistent: \(error.message)")
        }
        let params = context.params.filter { program.variable($0.key)?.persistable == true }
        var imported = ImportedModel(program: program, params: params, opset: opset, nodeTypes: graph.node.map(\.opType), foldedNodes: folded)
        imported.quantizedOps = context.qdq.quantizedOps
        imported.asymmetricActivations = context.qdq.asymmetric
        return imported
    }

    /// The default-domain opset, which must be in `supportedOpsets`.
    static func opset(of proto: Onnx_ModelProto) throws -> Int {
        let imports = proto.opsetImport.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        guard let version = imports.first?.version else {
            throw ONNXImportError(.malformed, "the model imports no default-domain opset")
        }
        guard supportedOpsets.contains(Int(version)) else {
            throw ONNXImportError(.unsupported, "opset \(version) is outside \(supportedOpsets.lowerBound)...\(supportedOpsets.upperBound)",
                                  hints: ["convert the model with onnx.version_converter.convert_version(model, 13)"])
        }
        return Int(version)
    }

    /// Graph outputs whose var got another name (a pass-through op's input) take the ONNX name
    /// when it is free.
    static func namingFetches(_ program: Program, as names: [String]) -> Program {
        var p = program
        for (fetch, name) in zip(program.fetches, names) where fetch != name && !p.has(name) && !p.feeds.contains(fetch) {
            let ascii = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-/:".contains($0)) }
            if ascii && !name.isEmpty { p = p.renaming(fetch, to: name) }
        }
        return p
    }
}
