using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The engine's trained <see cref="SequenceModel"/> behind the transformers' <see cref="ISequenceScorer"/>.
/// It also applies the trainer's <c>MaxSequenceLength</c>: a longer sequence is cut to its first
/// steps when scoring, exactly as it was when training, so the transformer needs no option of its own.
/// </summary>
internal sealed class SequenceModelScorer : ISequenceScorer
{
    /// <summary>The format name model files record for this scorer.</summary>
    public const string Format = "SequenceModel/1";

    private readonly SequenceModel model;

    /// <summary>Wraps a trained model; <paramref name="maxSequenceLength"/> 0 scores every step.</summary>
    public SequenceModelScorer(SequenceModel model, int maxSequenceLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSequenceLength);
        if (model.Spec.Pooling is null)
            throw new ArgumentException("A sequence-level scorer needs a network that pools over time; this one predicts per step.", nameof(model));
        this.model = model;
        MaxSequenceLength = maxSequenceLength;
    }

    /// <summary>The trained model.</summary>
    public SequenceModel Model => model;

    /// <summary>Steps kept from the start of a longer sequence; 0 keeps every step.</summary>
    public int MaxSequenceLength { get; }

    /// <inheritdoc/>
    public string FormatName => Format;

    /// <inheritdoc/>
    public int OutputSize => model.Spec.OutputSize;

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> tokens, Span<float> output)
    {
        if (model.Spec.Input != SequenceInputKind.Tokens)
            throw new InvalidOperationException("This network reads numeric steps, not token ids.");
        if (MaxSequenceLength > 0 && tokens.Length > MaxSequenceLength)
            tokens = tokens[..MaxSequenceLength];
        model.Predict(tokens, output);
    }

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<float> featureSteps, int featuresPerStep, Span<float> output)
    {
        if (model.Spec.Input != SequenceInputKind.Features || featuresPerStep != model.Spec.FeaturesPerStep)
            throw new InvalidOperationException($"This network reads {DescribeInput(model.Spec)}, not {featuresPerStep} values per step.");
        if (MaxSequenceLength > 0 && featureSteps.Length > MaxSequenceLength * featuresPerStep)
            featureSteps = featureSteps[..(MaxSequenceLength * featuresPerStep)];
        model.Predict(featureSteps, output);
    }

    /// <inheritdoc/>
    public void Save(Stream stream)
    {
        // int: max sequence length (0: none), then the model as SequenceModel.Save writes it.
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            writer.Write(MaxSequenceLength);
        model.Save(stream);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a model this version can read.</exception>
    public static SequenceModelScorer Load(Stream stream)
    {
        int maxSequenceLength;
        using (var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            maxSequenceLength = reader.ReadInt32();
        if (maxSequenceLength < 0)
            throw new InvalidDataException($"The sequence model declares a maximum sequence length of {maxSequenceLength}; expected 0 or more.");
        SequenceModel model = SequenceModel.Load(stream);
        if (model.Spec.Pooling is null)
            throw new InvalidDataException("The sequence model predicts per step; the sequence-level transformers need a pooled network.");
        return new SequenceModelScorer(model, maxSequenceLength);
    }

    private static string DescribeInput(NetworkSpec spec) =>
        spec.Input == SequenceInputKind.Tokens ? "token ids" : $"{spec.FeaturesPerStep} values per step";
}
