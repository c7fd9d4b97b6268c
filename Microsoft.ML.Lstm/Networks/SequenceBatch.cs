using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A minibatch ready for the network: the packed layout and the inputs of every step in packed order —
/// token ids [N] for an embedding input, or feature rows [N, FeaturesPerStep] for a numeric input — and, for an
/// encoder that reads one, a second per-step input [N, ExtraFeaturesPerStep].
/// </summary>
internal sealed class SequenceBatch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private SequenceBatch(PackedLayout layout, int[]? tokens, T[]? features, int featuresPerStep)
    {
        Layout = layout;
        Tokens = tokens;
        Features = features;
        FeaturesPerStep = featuresPerStep;
    }

    /// <summary>How the sequences are sorted and packed.</summary>
    public PackedLayout Layout { get; }

    /// <summary>Token id of each packed row [N], or null for a numeric input.</summary>
    public int[]? Tokens { get; }

    /// <summary>Features of each packed row [N, FeaturesPerStep], or null for a token input.</summary>
    public T[]? Features { get; }

    /// <summary>Values per step of a numeric input; 0 for tokens.</summary>
    public int FeaturesPerStep { get; }

    /// <summary>The second per-step input of each packed row [N, ExtraFeaturesPerStep], or null.</summary>
    public T[]? ExtraFeatures { get; private init; }

    /// <summary>Values per step of the second input; 0 without one.</summary>
    public int ExtraFeaturesPerStep { get; private init; }

    /// <summary>The character ids of every token, token after token in packed row order; null without characters.</summary>
    public int[]? CharacterIds { get; private init; }

    /// <summary>Where each packed row's characters start in <see cref="CharacterIds"/> [N + 1]; the last entry is their count.</summary>
    public int[] CharacterOffsets { get; private init; } = Array.Empty<int>();

    /// <summary>This batch with a second per-step input: each sequence's steps × <paramref name="perStep"/> values, step-major, in the caller's order.</summary>
    public SequenceBatch<T> WithExtraFeatures(IReadOnlyList<float[]> sequences, int perStep) =>
        new(Layout, Tokens, Features, FeaturesPerStep)
        {
            ExtraFeatures = Pack(Layout, sequences, perStep), ExtraFeaturesPerStep = perStep,
            CharacterIds = CharacterIds, CharacterOffsets = CharacterOffsets,
        };

    /// <summary>This batch with each token's characters: per sequence (caller's order), per step, the character ids (at least one).</summary>
    public SequenceBatch<T> WithCharacters(IReadOnlyList<int[][]> sequences)
    {
        var offsets = new int[Layout.TotalSteps + 1];
        for (int s = 0; s < Layout.SequenceCount; s++)
        {
            int[][] steps = sequences[Layout.SortedToOriginal[s]];
            if (steps.Length != Layout.Lengths[s])
                throw new ArgumentException($"Sequence {Layout.SortedToOriginal[s]} has characters for {steps.Length} steps; it has {Layout.Lengths[s]}.", nameof(sequences));
            for (int t = 0; t < steps.Length; t++)
            {
                if (steps[t].Length == 0)
                    throw new ArgumentException($"Step {t} of sequence {Layout.SortedToOriginal[s]} has no characters; every token needs at least one.", nameof(sequences));
                offsets[Layout.Row(t, s) + 1] = steps[t].Length;
            }
        }
        for (int r = 0; r < Layout.TotalSteps; r++)
            offsets[r + 1] += offsets[r];
        var ids = new int[offsets[^1]];
        for (int s = 0; s < Layout.SequenceCount; s++)
        {
            int[][] steps = sequences[Layout.SortedToOriginal[s]];
            for (int t = 0; t < steps.Length; t++)
                steps[t].CopyTo(ids, offsets[Layout.Row(t, s)]);
        }
        return new SequenceBatch<T>(Layout, Tokens, Features, FeaturesPerStep)
        {
            ExtraFeatures = ExtraFeatures, ExtraFeaturesPerStep = ExtraFeaturesPerStep, CharacterIds = ids, CharacterOffsets = offsets,
        };
    }

    /// <summary>
    /// A batch of <paramref name="sequences"/> sequences of <paramref name="length"/> steps each, whose inputs the
    /// caller copies into <see cref="Tokens"/> or <see cref="Features"/> before each use (row t·B + s is step t of
    /// sequence s, since equal lengths keep the caller's order): the one-row scoring path and the step-at-a-time
    /// path reuse one for every call of the same shape.
    /// </summary>
    public static SequenceBatch<T> CreateEqualLengths(int sequences, int length, int featuresPerStep)
    {
        var lengths = new int[sequences];
        Array.Fill(lengths, length);
        var layout = PackedLayout.FromLengths(lengths);
        int n = sequences * length;
        return featuresPerStep == 0
            ? new SequenceBatch<T>(layout, new int[n], null, 0)
            : new SequenceBatch<T>(layout, null, new T[n * featuresPerStep], featuresPerStep);
    }

    /// <summary>
    /// Packs <paramref name="examples"/> (in the caller's order) as <paramref name="encoder"/> reads them: token ids or
    /// numeric steps, and each example's extra per-step values and characters when the encoder reads them.
    /// </summary>
    public static SequenceBatch<T> FromExamples(IReadOnlyList<SequenceExample> examples, EncoderSpec encoder)
    {
        SequenceBatch<T> batch = encoder.Input == SequenceInputKind.Tokens
            ? FromTokens(Gather(examples, static example => example.Tokens!))
            : FromFeatures(Gather(examples, static example => example.Features!), encoder.FeaturesPerStep);
        if (encoder.ExtraFeaturesPerStep > 0)
            batch = batch.WithExtraFeatures(Gather(examples, static example => example.ExtraFeatures!), encoder.ExtraFeaturesPerStep);
        if (encoder.ReadsCharacters)
            batch = batch.WithCharacters(Gather(examples, static example => example.Characters!));
        return batch;
    }

    private static TPart[] Gather<TPart>(IReadOnlyList<SequenceExample> examples, Func<SequenceExample, TPart> part)
    {
        var parts = new TPart[examples.Count];
        for (int i = 0; i < parts.Length; i++)
            parts[i] = part(examples[i]);
        return parts;
    }

    /// <summary>Packs token sequences (in the caller's order).</summary>
    public static SequenceBatch<T> FromTokens(IReadOnlyList<int[]> sequences)
    {
        var lengths = new int[sequences.Count];
        for (int i = 0; i < lengths.Length; i++)
            lengths[i] = sequences[i].Length;
        var layout = PackedLayout.FromLengths(lengths);
        var tokens = new int[layout.TotalSteps];
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            int[] sequence = sequences[layout.SortedToOriginal[s]];
            for (int t = 0; t < sequence.Length; t++)
                tokens[layout.Row(t, s)] = sequence[t];
        }
        return new SequenceBatch<T>(layout, tokens, null, 0);
    }

    /// <summary>Packs numeric sequences (in the caller's order); each holds steps × featuresPerStep values, step-major.</summary>
    public static SequenceBatch<T> FromFeatures(IReadOnlyList<float[]> sequences, int featuresPerStep)
    {
        var lengths = new int[sequences.Count];
        for (int i = 0; i < lengths.Length; i++)
        {
            if (sequences[i].Length % featuresPerStep != 0)
                throw new ArgumentException($"Sequence {i} has {sequences[i].Length} values, not a multiple of {featuresPerStep} features per step.", nameof(sequences));
            lengths[i] = sequences[i].Length / featuresPerStep;
        }
        var layout = PackedLayout.FromLengths(lengths);
        return new SequenceBatch<T>(layout, null, Pack(layout, sequences, featuresPerStep), featuresPerStep);
    }

    /// <summary>Packs each sequence's steps × <paramref name="perStep"/> values into rows of the layout [N, perStep].</summary>
    private static T[] Pack(PackedLayout layout, IReadOnlyList<float[]> sequences, int perStep)
    {
        var values = new T[layout.TotalSteps * perStep];
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            float[] sequence = sequences[layout.SortedToOriginal[s]];
            if (sequence.Length != layout.Lengths[s] * perStep)
                throw new ArgumentException($"Sequence {layout.SortedToOriginal[s]} has {sequence.Length} values; its {layout.Lengths[s]} steps need {layout.Lengths[s] * perStep}.", nameof(sequences));
            for (int t = 0; t < layout.Lengths[s]; t++)
            {
                int row = layout.Row(t, s);
                for (int f = 0; f < perStep; f++)
                    values[row * perStep + f] = T.CreateChecked(sequence[t * perStep + f]);
            }
        }
        return values;
    }
}
