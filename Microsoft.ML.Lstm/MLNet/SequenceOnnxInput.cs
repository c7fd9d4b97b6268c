using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The feature column of an exported model as the network's ONNX operators read it: what <see cref="SequenceRowReader"/>
/// does per row, written as ONNX operators over a batch of rows padded to one length.
/// </summary>
/// <remarks>
/// <para>ML.NET gives a variable-length vector column to an ONNX graph as a tensor [N, L]: one row per sequence, L the
/// longest. ML.NET's own <c>ApplyOnnxModel</c> passes one row at a time ([1, length]), so nothing is padded. A caller
/// of ONNX Runtime that scores a batch of sequences of different lengths pads each row at its end with a value the
/// package never reads as a step, and the graph counts each row's length from it:</para>
/// <list type="bullet">
/// <item>Token keys (uint32): any key above the column's key count, <see cref="TokenPadKey"/> by convention. Key 0 stays
/// the unknown token, as in ML.NET.</item>
/// <item>Float steps: NaN in a step's first value (the package refuses a NaN in a real step).</item>
/// </list>
/// <para>Only the first <c>MaxSequenceLength</c> steps are read (0 reads all), as in training and scoring.</para>
/// </remarks>
internal static class SequenceOnnxInput
{
    /// <summary>The pad value of a token-key row in a padded ONNX batch: above every key count.</summary>
    public const uint TokenPadKey = uint.MaxValue;

    /// <summary>
    /// Writes the reading of <paramref name="column"/> (the feature column's variable): the step-major input of the
    /// first recurrent layer [L, N, I], each row's length (int32 [N]) and which steps are a row's own (bool [N, L]).
    /// </summary>
    public static (string Steps, string Lengths, string Valid) Write(IOnnxGraph graph, NetworkOnnxWriter writer, SequenceFeatures features, string column, string prefix)
    {
        return features.Input.Kind == SequenceInputKind.Tokens
            ? Tokens(graph, writer, features, column, prefix)
            : FloatSteps(graph, writer, features, column, prefix);
    }

    private static (string, string, string) Tokens(IOnnxGraph graph, NetworkOnnxWriter writer, SequenceFeatures features, string column, string prefix)
    {
        long keyCount = checked((long)features.Input.TokenKeyCount);
        string keys = graph.Node("Cast", [Kept(graph, features, column, prefix)], To(OnnxElementType.Int64)); // [N, L]
        string valid = graph.Node("Less", [keys, graph.Constant(prefix + "keyLimit", [keyCount + 1])]);
        string lengths = Lengths(graph, valid, axis: 1);
        // key k is token k − 1; the missing key 0 is the unknown token (the embedding's last row); padding reads row 0 and is masked.
        string ids = graph.Node("Sub", [keys, graph.Constant(prefix + "one", [1L])]);
        ids = graph.Node("Where", [graph.Node("Equal", [keys, graph.Constant(prefix + "zero", [0L])]), graph.Constant(prefix + "unknownToken", [keyCount]), ids]);
        ids = graph.Node("Where", [valid, ids, graph.Constant(prefix + "zero", [0L])]);
        return (writer.Embed(ids), lengths, valid);
    }

    private static (string, string, string) FloatSteps(IOnnxGraph graph, NetworkOnnxWriter writer, SequenceFeatures features, string column, string prefix)
    {
        int perStep = features.Input.FeaturesPerStep;
        string steps = graph.Node("Reshape", [column, graph.Constant(prefix + "shape", [0L, -1L, perStep], 3)]); // [N, L, F]
        steps = Kept(graph, features, steps, prefix);
        string isNaN = graph.Node("IsNaN", [steps]);
        string firstIsNaN = graph.Node("Squeeze", [graph.Node("Slice", [isNaN, Longs(graph, prefix, 0), Longs(graph, prefix, 1), Longs(graph, prefix, 2)])], OnnxAttribute.Ints("axes", 2));
        string valid = graph.Node("Not", [firstIsNaN]);
        string lengths = Lengths(graph, valid, axis: 1);
        steps = graph.Node("Where", [isNaN, graph.Constant(prefix + "zero", [0f]), steps]);
        if (features.InputScaling is Standardization scaling)
        {
            steps = graph.Node("Sub", [steps, graph.Constant(prefix + "inputMeans", scaling.Means, perStep)]);
            steps = graph.Node("Div", [steps, graph.Constant(prefix + "inputDeviations", scaling.Deviations, perStep)]);
        }
        return (writer.StepMajor(steps), lengths, valid);
    }

    /// <summary>The first <c>MaxSequenceLength</c> steps (axis 1) of <paramref name="batch"/>, or all of them.</summary>
    private static string Kept(IOnnxGraph graph, SequenceFeatures features, string batch, string prefix) => features.MaxSequenceLength == 0
        ? batch
        : graph.Node("Slice", [batch, Longs(graph, prefix, 0), Longs(graph, prefix, features.MaxSequenceLength), Longs(graph, prefix, 1)]);

    /// <summary>How many steps of each row are valid: int32 [N].</summary>
    private static string Lengths(IOnnxGraph graph, string valid, int axis) =>
        graph.Node("ReduceSum", [graph.Node("Cast", [valid], To(OnnxElementType.Int32))], OnnxAttribute.Ints("axes", axis), OnnxAttribute.Int("keepdims", 0));

    private static string Longs(IOnnxGraph graph, string prefix, long value) => graph.Constant(prefix + "index", [value], 1);

    private static OnnxAttribute To(OnnxElementType type) => OnnxAttribute.Int("to", (long)type);
}
