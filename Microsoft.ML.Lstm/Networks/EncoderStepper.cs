using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Runs a one-directional encoder a step (or a few) at a time over B sequences, keeping the recurrent state
/// between calls: what generation and streaming forecasts need. Feeding a sequence in pieces gives the same bits
/// as encoding it whole (the same kernels run on the same rows; only the batching differs), and a warm call
/// allocates nothing. Not thread-safe; the encoder it steps must not run anything else meanwhile.
/// </summary>
internal sealed class EncoderStepper<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SequenceEncoder<T> encoder;
    private readonly Dictionary<int, SequenceBatch<T>> batchesBySteps = new();

    /// <summary>A stepper over <paramref name="sequences"/> sequences, starting from zero states.</summary>
    public EncoderStepper(SequenceEncoder<T> encoder, int sequences)
    {
        if (encoder.Spec.Bidirectional)
            throw new InvalidOperationException("A bidirectional encoder reads each sequence from its end as well, so it cannot run a step at a time.");
        if (encoder.Spec.ExtraFeaturesPerStep > 0 || encoder.Spec.ReadsCharacters)
            throw new InvalidOperationException("Stepping an encoder with a second per-step input or character features is not supported.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequences);
        this.encoder = encoder;
        Sequences = sequences;
        State = encoder.CreateState(sequences);
    }

    /// <summary>Sequences stepped together (B).</summary>
    public int Sequences { get; }

    /// <summary>The state after the steps fed so far, [L, B, H] in the order of the sequences; may be set or copied.</summary>
    public RecurrentState<T> State { get; }

    /// <summary>Starts every sequence again from zero states.</summary>
    public void Reset() => State.Clear();

    /// <summary>Feeds <paramref name="steps"/> token ids to each sequence: <paramref name="tokens"/> [B, steps], sequence after sequence.</summary>
    public EncodedBatch<T> Step(ReadOnlySpan<int> tokens, int steps = 1)
    {
        SequenceBatch<T> batch = BatchFor(steps, tokens.Length, 1);
        int[] packed = batch.Tokens ?? throw new InvalidOperationException("This encoder reads numeric steps, not token ids.");
        for (int s = 0; s < Sequences; s++)
        {
            for (int t = 0; t < steps; t++)
                packed[t * Sequences + s] = tokens[s * steps + t];
        }
        return Run(batch);
    }

    /// <summary>Feeds <paramref name="steps"/> numeric steps to each sequence: <paramref name="features"/> [B, steps, F], sequence after sequence.</summary>
    public EncodedBatch<T> Step(ReadOnlySpan<T> features, int steps = 1)
    {
        int perStep = encoder.Spec.FeaturesPerStep;
        SequenceBatch<T> batch = BatchFor(steps, features.Length, Math.Max(1, perStep));
        T[] packed = batch.Features ?? throw new InvalidOperationException("This encoder reads token ids, not numeric steps.");
        for (int s = 0; s < Sequences; s++)
        {
            for (int t = 0; t < steps; t++)
                features.Slice((s * steps + t) * perStep, perStep).CopyTo(packed.AsSpan((t * Sequences + s) * perStep, perStep));
        }
        return Run(batch);
    }

    private SequenceBatch<T> BatchFor(int steps, int values, int valuesPerStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (values != Sequences * steps * valuesPerStep)
            throw new ArgumentException($"Expected {Sequences} sequences × {steps} steps × {valuesPerStep} values = {Sequences * steps * valuesPerStep}, got {values}.");
        if (!batchesBySteps.TryGetValue(steps, out SequenceBatch<T>? batch))
        {
            batch = SequenceBatch<T>.CreateEqualLengths(Sequences, steps, encoder.Spec.Input == SequenceInputKind.Tokens ? 0 : encoder.Spec.FeaturesPerStep);
            batchesBySteps.Add(steps, batch);
        }
        return batch;
    }

    private EncodedBatch<T> Run(SequenceBatch<T> batch)
    {
        EncodedBatch<T> encoded = encoder.Forward(batch, training: false, State);
        encoded.FinalState.Hidden.CopyTo(State.Hidden, 0);
        encoded.FinalState.Cell.CopyTo(State.Cell, 0);
        return encoded;
    }
}
