namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Scores one sequence at a time with its own copy of a network's workspaces: the one-row path. It keeps
/// a ready batch for each of the last few sequence lengths it has seen, so a warm call allocates nothing.
/// Not thread-safe: use one predictor per thread (see <see cref="SequenceModel"/>).
/// </summary>
/// <remarks>
/// What it holds between calls is bounded: at most <see cref="MaxCachedLengths"/> batches, each of at most
/// <see cref="RetainedSteps"/> steps, and workspaces sized for at most <see cref="RetainedSteps"/> steps. A longer
/// sequence is scored in a network of its own (the same weights, fresh workspaces) that is dropped when the call
/// returns, so one long input never leaves its buffers behind.
/// </remarks>
internal sealed class SequencePredictor
{
    /// <summary>The longest sequence whose buffers a predictor keeps after the call.</summary>
    public const int RetainedSteps = 1024;

    /// <summary>Batches kept, one per recent length; the cache is emptied when a new length would exceed it.</summary>
    public const int MaxCachedLengths = 32;

    private readonly SequenceNetwork<float> network;
    private readonly Dictionary<int, SequenceBatch<float>> batchesByLength = new();

    /// <summary>Wraps a network that this predictor alone will run.</summary>
    public SequencePredictor(SequenceNetwork<float> network) => this.network = network;

    /// <summary>Batches kept for reuse (at most <see cref="MaxCachedLengths"/>).</summary>
    internal int CachedBatchCount => batchesByLength.Count;

    /// <summary>Writes the head's predictions for a token sequence (<see cref="SequenceNetwork{T}.PredictionCount"/> values).</summary>
    public void Predict(ReadOnlySpan<int> tokens, Span<float> output)
    {
        SequenceBatch<float> batch = BatchFor(tokens.Length, 0);
        tokens.CopyTo(batch.Tokens);
        Run(batch, output);
    }

    /// <summary>
    /// Writes the head's predictions for a token sequence with each token's character ids (at least one per token)
    /// and its extra per-step values (steps × <see cref="EncoderSpec.ExtraFeaturesPerStep"/>, step-major), for an
    /// encoder that reads them; either may be null when the encoder does not. Allocates the character batch per call.
    /// </summary>
    public void Predict(ReadOnlySpan<int> tokens, int[][]? characters, float[]? extraFeatures, Span<float> output)
    {
        EncoderSpec spec = network.Spec.Encoder;
        SequenceBatch<float> batch = BatchFor(tokens.Length, 0);
        tokens.CopyTo(batch.Tokens);
        if (spec.ExtraFeaturesPerStep > 0)
        {
            float[] extra = extraFeatures ?? throw new ArgumentException($"The encoder reads {spec.ExtraFeaturesPerStep} extra values per step; none were given.", nameof(extraFeatures));
            batch = batch.WithExtraFeatures([extra], spec.ExtraFeaturesPerStep);
        }
        if (spec.ReadsCharacters)
            batch = batch.WithCharacters([characters ?? throw new ArgumentException("The encoder reads each token's characters; none were given.", nameof(characters))]);
        Run(batch, output);
    }

    /// <summary>Writes the head's predictions for a numeric sequence of steps × features values, step-major.</summary>
    public void Predict(ReadOnlySpan<float> featureSteps, Span<float> output)
    {
        int perStep = network.Spec.Encoder.FeaturesPerStep;
        if (perStep == 0 || featureSteps.Length % perStep != 0)
            throw new ArgumentException($"Expected a multiple of {perStep} values (features per step), got {featureSteps.Length}.", nameof(featureSteps));
        SequenceBatch<float> batch = BatchFor(featureSteps.Length / perStep, perStep);
        featureSteps.CopyTo(batch.Features);
        Run(batch, output);
    }

    private SequenceBatch<float> BatchFor(int length, int featuresPerStep)
    {
        if (length == 0)
            throw new ArgumentException("Cannot score an empty sequence.");
        if (length > RetainedSteps)
            return SequenceBatch<float>.CreateEqualLengths(1, length, featuresPerStep);
        if (!batchesByLength.TryGetValue(length, out SequenceBatch<float>? batch))
        {
            if (batchesByLength.Count == MaxCachedLengths)
                batchesByLength.Clear();
            batch = SequenceBatch<float>.CreateEqualLengths(1, length, featuresPerStep);
            batchesByLength.Add(length, batch);
        }
        return batch;
    }

    private void Run(SequenceBatch<float> batch, Span<float> output)
    {
        // A long sequence runs in a network of its own, whose workspaces go when this call returns.
        SequenceNetwork<float> runner = batch.Layout.TotalSteps > RetainedSteps ? network.CloneForInference() : network;
        ReadOnlySpan<float> result = runner.Predict(batch);
        if (output.Length != result.Length)
            throw new ArgumentException($"The output needs room for {result.Length} values, has {output.Length}.", nameof(output));
        result.CopyTo(output);
    }
}
