import Foundation

/// Element types of `TensorProto.data_type` / `TypeProto.Tensor.elem_type` used by the export.
enum ONNXElementType: Int32 {
    case float = 1, uint8 = 2, int8 = 3, int32 = 6, int64 = 7
}

extension Onnx_TensorProto {
    /// f32 values (little-endian `raw_data`) with `dims`.
    static func floats(_ values: [Float], dims: [Int]) -> Onnx_TensorProto {
        make(.float, dims: dims, raw: values.withUnsafeBufferPointer { Data(buffer: $0) })
    }

    /// int8 values with `dims`.
    static func int8s(_ values: [Int8], dims: [Int]) -> Onnx_TensorProto {
        make(.int8, dims: dims, raw: values.withUnsafeBufferPointer { Data(buffer: $0) })
    }

    /// uint8 values with `dims` (asymmetric zero points).
    static func uint8s(_ values: [UInt8], dims: [Int]) -> Onnx_TensorProto {
        make(.uint8, dims: dims, raw: values.withUnsafeBufferPointer { Data(buffer: $0) })
    }

    /// int64 values with `dims` (shapes for Reshape).
    static func int64s(_ values: [Int64], dims: [Int]) -> Onnx_TensorProto {
        make(.int64, dims: dims, raw: values.withUnsafeBufferPointer { Data(buffer: $0) })
    }

    private static func make(_ type: ONNXElementType, dims: [Int], raw: Data) -> Onnx_TensorProto {
        // raw_data is little-endian by the ONNX spec; every platform slim runs on is little-endian.
        precondition(1.littleEndian == 1, "ONNX raw_data needs a little-endian host")
        var t = Onnx_TensorProto()
        t.dataType = type.rawValue
        t.dims = dims.map { Int64($0) }
        t.rawData = raw
        return t
    }
}

extension Onnx_AttributeProto {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = Int64(value)
        return a
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values.map { Int64($0) }
        return a
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = value
        return a
    }

    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(value.utf8)
        return a
    }
}

extension Onnx_ValueInfoProto {
    /// A tensor value of `type` whose dims are `shape`, `-1` dims symbolic (`N` for the first, the
    /// batch; `d<i>` for others).
    static func tensor(_ name: String, _ type: ONNXElementType, shape: [Int]) -> Onnx_ValueInfoProto {
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = type.rawValue
        tensor.shape.dim = shape.enumerated().map { i, d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if d >= 0 { dim.dimValue = Int64(d) } else { dim.dimParam = i == 0 ? "N" : "d\(i)" }
            return dim
        }
        var v = Onnx_ValueInfoProto()
        v.name = name
        v.type.tensorType = tensor
        return v
    }
}
