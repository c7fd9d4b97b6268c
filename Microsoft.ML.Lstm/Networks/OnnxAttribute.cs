namespace Microsoft.ML.Lstm.Networks;

/// <summary>An attribute of an ONNX node: a name and one value of the kinds the exporter writes.</summary>
/// <param name="Name">The attribute's name, as the operator's specification spells it.</param>
/// <param name="Value">A <see cref="long"/>, <see cref="float"/>, <see cref="string"/>, <see cref="long"/>[] or <see cref="string"/>[].</param>
internal readonly record struct OnnxAttribute(string Name, object Value)
{
    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, value);

    /// <summary>A list of integers (axes, permutations).</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, values);

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, value);

    /// <summary>A string attribute.</summary>
    public static OnnxAttribute String(string name, string value) => new(name, value);

    /// <summary>A list of strings (a lookup's keys).</summary>
    public static OnnxAttribute Strings(string name, params string[] values) => new(name, values);
}
