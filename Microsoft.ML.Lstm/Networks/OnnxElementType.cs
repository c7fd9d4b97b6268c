namespace Microsoft.ML.Lstm.Networks;

/// <summary>The element types the exporter casts to, numbered as ONNX's <c>TensorProto.DataType</c> (the <c>to</c> of a <c>Cast</c>).</summary>
internal enum OnnxElementType
{
    /// <summary>32-bit float.</summary>
    Float = 1,

    /// <summary>32-bit signed integer.</summary>
    Int32 = 6,

    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,

    /// <summary>Boolean.</summary>
    Bool = 9,

    /// <summary>32-bit unsigned integer (ML.NET's key values).</summary>
    UInt32 = 12,
}
