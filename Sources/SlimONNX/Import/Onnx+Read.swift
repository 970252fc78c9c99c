import Foundation

extension Onnx_NodeProto {
    /// The attribute named `name`, if present.
    func attribute(_ name: String) -> Onnx_AttributeProto? { attribute.first { $0.name == name } }

    func int(_ name: String, default value: Int) -> Int { attribute(name).map { Int($0.i) } ?? value }
    func float(_ name: String, default value: Float) -> Float { attribute(name)?.f ?? value }
    func ints(_ name: String) -> [Int]? { attribute(name).map { $0.ints.map { Int($0) } } }
    func floats(_ name: String) -> [Float]? { attribute(name)?.floats }
    func string(_ name: String, default value: String) -> String {
        attribute(name).map { String(decoding: $0.s, as: UTF8.self) } ?? value
    }

    /// Whether input `i` is given (ONNX marks an omitted optional input with an empty name).
    func hasInput(_ i: Int) -> Bool { i < input.count && !input[i].isEmpty }
}

extension Onnx_TensorProto {
    /// The tensor's values as an `ImportedConstant`.
    /// - Throws: `ONNXImportError` for external data, unsupported element types or a value
    ///   count that does not match the dims.
    func importedConstant() throws -> ImportedConstant {
        let shape = dims.map { Int($0) }
        guard dataLocation != .external else {
            throw ONNXImportError(.unsupported, "tensor '\(name)' keeps its data in an external file",
                                  hints: ["save the model with its weights inside the .onnx file (onnx.save(..., save_as_external_data=False))"])
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ONNXImportError(.malformed, "tensor '\(name)' has dims \(shape)") }
        let values = try decodedValues()
        guard values.count == shape.reduce(1, *) else {
            throw ONNXImportError(.malformed, "tensor '\(name)' has \(values.count) values for dims \(shape)")
        }
        return ImportedConstant(shape: shape, values: values, isFloat: [1, 10, 11, 16].contains(dataType))
    }

    private func decodedValues() throws -> [Double] {
        let raw = hasRawData ? rawData : nil
        switch dataType {
        case 1: return raw.map { Self.unpack($0, Float.self).map(Double.init) } ?? floatData.map(Double.init)
        case 11: return raw.map { Self.unpack($0, Double.self) } ?? doubleData
        case 7: return raw.map { Self.unpack($0, Int64.self).map(Double.init) } ?? int64Data.map(Double.init)
        case 6: return raw.map { Self.unpack($0, Int32.self).map(Double.init) } ?? int32Data.map(Double.init)
        case 3: return raw.map { Self.unpack($0, Int8.self).map(Double.init) } ?? int32Data.map(Double.init)
        case 2, 9: return raw.map { Self.unpack($0, UInt8.self).map(Double.init) } ?? int32Data.map(Double.init)
        case 10:
            let bits = raw.map { Self.unpack($0, UInt16.self) } ?? int32Data.map { UInt16(truncatingIfNeeded: $0) }
            return bits.map { Double(Float(Float16(bitPattern: $0))) }
        default:
            throw ONNXImportError(.unsupported, "tensor '\(name)' has ONNX element type \(dataType), which slim does not import",
                                  hints: ["slim imports float, float16, double, int8, uint8, int32, int64 and bool tensors"])
        }
    }

    /// Little-endian `T`s from `data` (trailing bytes that do not fill a `T` are an error the
    /// count check reports).
    private static func unpack<T>(_ data: Data, _: T.Type) -> [T] {
        let n = data.count / MemoryLayout<T>.stride
        return data.withUnsafeBytes { raw in (0..<n).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.stride, as: T.self) } }
    }
}
