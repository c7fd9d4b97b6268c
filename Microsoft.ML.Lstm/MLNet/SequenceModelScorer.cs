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

    private const string ScorerSection = "scorer";

    private readonly SequenceModel model;

    /// <summary>Wraps a trained model; <paramref name="maxSequenceLength"/> 0 scores every step.</summary>
    public SequenceModelScorer(SequenceModel model, int maxSequenceLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSequenceLength);
        if (model.Spec.Head is not PooledHeadSpec)
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
    public int OutputSize => model.PredictionCount(1);

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<int> tokens, Span<float> output)
    {
        if (model.Spec.Encoder.Input != SequenceInputKind.Tokens)
            throw new InvalidOperationException("This network reads numeric steps, not token ids.");
        if (MaxSequenceLength > 0 && tokens.Length > MaxSequenceLength)
            tokens = tokens[..MaxSequenceLength];
        model.Predict(tokens, output);
    }

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<float> featureSteps, int featuresPerStep, Span<float> output)
    {
        if (model.Spec.Encoder.Input != SequenceInputKind.Features || featuresPerStep != model.Spec.Encoder.FeaturesPerStep)
            throw new InvalidOperationException($"This network reads {DescribeInput(model.Spec.Encoder)}, not {featuresPerStep} values per step.");
        if (MaxSequenceLength > 0 && featureSteps.Length > MaxSequenceLength * featuresPerStep)
            featureSteps = featureSteps[..(MaxSequenceLength * featuresPerStep)];
        model.Predict(featureSteps, output);
    }

    /// <inheritdoc/>
    public void Save(Stream stream)
    {
        // A model file: section "scorer" (int32 max sequence length, 0: none), then the network's sections.
        var file = new ModelFileWriter();
        file.Section(ScorerSection).WriteInt32(MaxSequenceLength);
        model.Save(file);
        file.WriteTo(stream);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a model this version can read.</exception>
    public static SequenceModelScorer Load(Stream stream)
    {
        ModelFile file = ModelFile.Read(stream, maxBytes: int.MaxValue);
        ModelSectionReader scorer = file.Open(ScorerSection);
        int maxSequenceLength = scorer.ReadInt32("maximum sequence length", 0, int.MaxValue);
        scorer.ExpectEnd();
        SequenceModel model = SequenceModel.Load(file);
        if (model.Spec.Head is not PooledHeadSpec)
            throw new InvalidDataException("The sequence model predicts per step; the sequence-level transformers need a pooled network.");
        return new SequenceModelScorer(model, maxSequenceLength);
    }

    private static string DescribeInput(EncoderSpec spec) =>
        spec.Input == SequenceInputKind.Tokens ? "token ids" : $"{spec.FeaturesPerStep} values per step";
}
