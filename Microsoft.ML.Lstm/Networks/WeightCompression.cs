using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The compressed weights a network scores with: every recurrent layer's input and recurrent matrices
/// (<c>*.weight_ih</c>, <c>*.weight_hh</c>, the character encoder's too) and the embedding tables (<c>embedding</c>,
/// <c>char.embedding</c>), in bfloat16 or int8 with a scale per row; the matrices are packed once for the compressed
/// kernels (<see cref="CompressedGemm"/>). Shared, read-only, by every copy of the
/// network that scores (<see cref="SequenceNetwork{T}.CloneForInference"/>) and every network built from its weights
/// (<see cref="EncoderTransplant"/>).
/// </summary>
/// <remarks>
/// <para>
/// A network with a compression attached (<see cref="ParameterStore{T}.Compression"/>) holds, as its float weights, the
/// values the compressed ones stand for (<see cref="QuantizedMatrix.Dequantize"/>): anything that reads the float
/// weights (ONNX export, a transplant, a later compression) sees the compressed model, and a
/// <see cref="WeightProduct{T}"/> multiplies by the compressed copy instead of packing the floats. Changing the weights
/// (<see cref="ParameterStore{T}.MarkChanged"/>) drops the compression, so training never runs on stale copies.
/// </para>
/// <para>
/// The recurrent matrices are what one-row scoring streams from memory at every step, so they are multiplied
/// compressed; an embedding table is read a row per token, so it is compressed for the file's size only and scored from
/// its float values. Biases, peepholes, attention and heads stay float32.
/// </para>
/// </remarks>
internal sealed class WeightCompression
{
    private readonly Dictionary<string, CompressedWeight> byName;

    private WeightCompression(WeightFormat format, IReadOnlyList<CompressedWeight> weights)
    {
        Format = format;
        Weights = weights;
        byName = weights.ToDictionary(weight => weight.Name, StringComparer.Ordinal);
    }

    /// <summary>How the weights are stored.</summary>
    public WeightFormat Format { get; }

    /// <summary>The compressed matrices, in the order of the network's parameters.</summary>
    public IReadOnlyList<CompressedWeight> Weights { get; }

    /// <summary>Weights compressed (their count, not their bytes).</summary>
    public long WeightCount => Weights.Sum(weight => (long)weight.Values.Rows * weight.Values.Columns);

    /// <summary>Whether a parameter is one this compression takes: a recurrent layer's input or recurrent matrix, or an embedding table.</summary>
    public static bool IsCompressible(ParameterView view) =>
        view.Shape.Length == 2
        && !view.Name.StartsWith("head.", StringComparison.Ordinal)
        && (IsProductWeight(view.Name) || view.Name is "embedding" or "char.embedding");

    /// <summary>Whether a parameter is multiplied by (<see cref="WeightProduct{T}"/>), so worth packing for the compressed kernels.</summary>
    private static bool IsProductWeight(string name) =>
        name.EndsWith(".weight_ih", StringComparison.Ordinal) || name.EndsWith(".weight_hh", StringComparison.Ordinal);

    /// <summary>
    /// A copy of <paramref name="network"/> for scoring whose compressible weights are compressed to
    /// <paramref name="format"/> (from the weights as they are), or, with null, a float copy of its weights as they are.
    /// The network given is not changed.
    /// </summary>
    public static SequenceNetwork<float> Compress(SequenceNetwork<float> network, WeightFormat? format)
    {
        var copy = SequenceNetwork<float>.CreateForLoading(network.Spec, threads: 1);
        network.Parameters.Values.CopyTo(copy.Parameters.Values, 0);
        copy.Parameters.MarkChanged();
        if (format is not WeightFormat chosen)
            return copy;
        var weights = new List<(string, QuantizedMatrix)>();
        foreach (ParameterView view in network.Parameters.Views)
        {
            if (IsCompressible(view))
                weights.Add((view.Name, QuantizedMatrix.Quantize(chosen, network.Parameters.Value(view), view.Shape[0], view.Shape[1])));
        }
        Create(chosen, weights).AttachTo(copy.Parameters);
        return copy;
    }

    /// <summary>Packs <paramref name="weights"/> (parameter name, compressed values) for this CPU's kernels.</summary>
    public static WeightCompression Create(WeightFormat format, IEnumerable<(string Name, QuantizedMatrix Values)> weights)
    {
        var compressed = new List<CompressedWeight>();
        foreach ((string name, QuantizedMatrix values) in weights)
        {
            if (values.Format != format)
                throw new ArgumentException($"The weights '{name}' are {values.Format}, not {format}.", nameof(weights));
            compressed.Add(new CompressedWeight(name, values, IsProductWeight(name) ? CompressedGemm.Pack(values) : null));
        }
        return new WeightCompression(format, compressed);
    }

    /// <summary>
    /// Writes the weights this compression stands for into <paramref name="store"/>'s values and attaches it, so that
    /// the store's products run compressed.
    /// </summary>
    /// <exception cref="ArgumentException">A compressed matrix names no parameter of the store, or one of another shape or not compressible.</exception>
    public void AttachTo(ParameterStore<float> store)
    {
        foreach (CompressedWeight weight in Weights)
        {
            ParameterView view = store.Views.FirstOrDefault(v => v.Name == weight.Name)
                ?? throw new ArgumentException($"The network has no parameter '{weight.Name}' to compress.");
            if (!IsCompressible(view) || view.Shape[0] != weight.Values.Rows || view.Shape[1] != weight.Values.Columns)
                throw new ArgumentException($"The network's parameter '{view.Name}' [{string.Join(", ", view.Shape)}] cannot hold compressed weights [{weight.Values.Rows}, {weight.Values.Columns}].");
            weight.Values.Dequantize(store.Value(view));
        }
        store.MarkChanged();
        store.Compression = this;
    }

    /// <summary>
    /// The part of this compression that <paramref name="target"/>'s parameters have (same name and shape), attached to
    /// it: for a network whose weights were just copied from this one's by name.
    /// </summary>
    public void AttachMatchingTo(ParameterStore<float> target)
    {
        var matching = new List<CompressedWeight>();
        foreach (ParameterView view in target.Views)
        {
            if (byName.TryGetValue(view.Name, out CompressedWeight? weight) && IsCompressible(view)
                && view.Shape[0] == weight.Values.Rows && view.Shape[1] == weight.Values.Columns)
                matching.Add(weight);
        }
        if (matching.Count > 0)
            target.Compression = new WeightCompression(Format, matching);
    }

    /// <summary>The compressed values of <paramref name="view"/> where its products run compressed (<see cref="Find"/> is not null), else null.</summary>
    public QuantizedMatrix? FindValues(ParameterView view) =>
        byName.TryGetValue(view.Name, out CompressedWeight? weight) && weight.Packed is not null ? weight.Values : null;

    /// <summary>The packed compressed copy of <paramref name="view"/>, or null when it is not compressed or not multiplied by.</summary>
    public CompressedPackedMatrix? Find(ParameterView view) => byName.TryGetValue(view.Name, out CompressedWeight? weight) ? weight.Packed : null;
}
