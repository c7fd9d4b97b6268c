namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Scores one sequence at a time with its own copy of a network's workspaces: the one-row path. It keeps
/// a ready batch for each of the last few sequence lengths it has seen, so a warm call allocates nothing.
/// Not thread-safe: use one predictor per thread (see <see cref="SequenceModel"/>). A predictor over a network of
/// several threads (<see cref="SequenceNetwork{T}.Threads"/>) scores each sequence on them, with the same bits as one thread.
/// </summary>
/// <remarks>
/// What it holds between calls is bounded: at most <see cref="MaxCachedLengths"/> batches, each of at most
/// <see cref="RetainedSteps"/> steps, and workspaces sized for at most <see cref="RetainedSteps"/> steps. A longer
/// sequence is scored in a network of its own (the same weights, fresh workspaces) that is dropped when the call
/// returns, so one long input never leaves its buffers behind. When a new length finds every batch taken, the one
/// used least recently makes room: text holds more than <see cref="MaxCachedLengths"/> lengths (600 sentences of the
/// UCI set hold 41), and the common ones stay while a rare one passes through.
/// </remarks>
internal sealed class SequencePredictor
{
    /// <summary>The longest sequence whose buffers a predictor keeps after the call.</summary>
    public const int RetainedSteps = 1024;

    /// <summary>Batches kept, one per recent length; a new length beyond them replaces the one used least recently.</summary>
    public const int MaxCachedLengths = 32;

    private readonly SequenceNetwork<float> network;

    // The kept batches: slot i holds a batch of cachedLengths[i] steps, last used at call lastUses[i]; the first
    // cachedCount slots are taken.
    private readonly SequenceBatch<float>[] cachedBatches = new SequenceBatch<float>[MaxCachedLengths];
    private readonly int[] cachedLengths = new int[MaxCachedLengths];
    private readonly long[] lastUses = new long[MaxCachedLengths];
    private int cachedCount;
    private long calls;

    /// <summary>Wraps a network that this predictor alone will run.</summary>
    public SequencePredictor(SequenceNetwork<float> network) => this.network = network;

    /// <summary>Threads the predictor's network scores each sequence on.</summary>
    public int Threads => network.Threads;

    /// <summary>Batches kept for reuse (at most <see cref="MaxCachedLengths"/>).</summary>
    internal int CachedBatchCount => cachedCount;

    /// <summary>Whether a batch of <paramref name="length"/> steps is kept.</summary>
    internal bool HoldsBatchOf(int length) => cachedLengths.AsSpan(0, cachedCount).Contains(length);

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

    /// <summary>
    /// Writes the head's predictions for every sequence of <paramref name="batch"/>, sequence after sequence in its
    /// order: the same bits as scoring each alone. A batch of more than <see cref="RetainedSteps"/> steps runs in a
    /// network of its own, as a long sequence does.
    /// </summary>
    public void Predict(SequenceBatch<float> batch, Span<float> output) => Run(batch, output);

    private SequenceBatch<float> BatchFor(int length, int featuresPerStep)
    {
        if (length == 0)
            throw new ArgumentException("Cannot score an empty sequence.");
        if (length > RetainedSteps)
            return SequenceBatch<float>.CreateEqualLengths(1, length, featuresPerStep);
        calls++;
        int slot = cachedLengths.AsSpan(0, cachedCount).IndexOf(length);
        if (slot < 0)
        {
            slot = cachedCount < MaxCachedLengths ? cachedCount++ : LeastRecentlyUsed();
            cachedBatches[slot] = SequenceBatch<float>.CreateEqualLengths(1, length, featuresPerStep);
            cachedLengths[slot] = length;
        }
        lastUses[slot] = calls;
        return cachedBatches[slot];
    }

    private int LeastRecentlyUsed()
    {
        int oldest = 0;
        for (int slot = 1; slot < cachedCount; slot++)
        {
            if (lastUses[slot] < lastUses[oldest])
                oldest = slot;
        }
        return oldest;
    }

    private void Run(SequenceBatch<float> batch, Span<float> output)
    {
        // A long sequence runs in a network of its own, whose workspaces go when this call returns.
        SequenceNetwork<float> runner = batch.Layout.TotalSteps > RetainedSteps ? network.CloneForInference(network.Threads) : network;
        ReadOnlySpan<float> result = runner.Predict(batch);
        if (output.Length != result.Length)
            throw new ArgumentException($"The output needs room for {result.Length} values, has {output.Length}.", nameof(output));
        result.CopyTo(output);
    }
}
