namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// An ONNX graph being written: constants (initializers) and nodes. What the network exporter
/// (<see cref="NetworkOnnxWriter"/>) writes through, with no tie to who holds the graph (ML.NET's converter, in the
/// ML.NET layer). Every name returned is unique in the graph; the names asked for are prefixes.
/// </summary>
internal interface IOnnxGraph
{
    /// <summary>A constant float tensor of shape <paramref name="dims"/> (none: a scalar); returns its name.</summary>
    string Constant(string name, ReadOnlySpan<float> values, params long[] dims);

    /// <summary>A constant int64 tensor of shape <paramref name="dims"/> (none: a scalar); returns its name.</summary>
    string Constant(string name, ReadOnlySpan<long> values, params long[] dims);

    /// <summary>A node of operator <paramref name="op"/> (ONNX's default domain) with one output; returns the output's name.</summary>
    string Node(string op, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes);

    /// <summary>
    /// A node of operator <paramref name="op"/> of operator set <paramref name="domain"/> ("ai.onnx.ml", or ONNX Runtime's
    /// "com.microsoft") with one output; returns the output's name.
    /// </summary>
    string Node(string op, string domain, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes);

    /// <summary>A node with several outputs, named from the prefixes <paramref name="outputs"/> (an empty one skips that output); returns their names.</summary>
    string[] Node(string op, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes);
}
