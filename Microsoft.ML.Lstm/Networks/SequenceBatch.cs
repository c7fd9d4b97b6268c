using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A minibatch ready for the network: the packed layout and the inputs of every step in packed order —
/// token ids [N] for an embedding input, or feature rows [N, FeaturesPerStep] for a numeric input.
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

    /// <summary>
    /// A batch of one sequence whose inputs are copied into <see cref="Tokens"/> or <see cref="Features"/>
    /// by the caller before each use: the one-row scoring path reuses it for every sequence of the same length.
    /// </summary>
    public static SequenceBatch<T> CreateSingle(int length, int featuresPerStep)
    {
        var layout = PackedLayout.FromLengths([length]);
        return featuresPerStep == 0
            ? new SequenceBatch<T>(layout, new int[length], null, 0)
            : new SequenceBatch<T>(layout, null, new T[length * featuresPerStep], featuresPerStep);
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
        var features = new T[layout.TotalSteps * featuresPerStep];
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            float[] sequence = sequences[layout.SortedToOriginal[s]];
            for (int t = 0; t < layout.Lengths[s]; t++)
            {
                int row = layout.Row(t, s);
                for (int f = 0; f < featuresPerStep; f++)
                    features[row * featuresPerStep + f] = T.CreateChecked(sequence[t * featuresPerStep + f]);
            }
        }
        return new SequenceBatch<T>(layout, null, features, featuresPerStep);
    }
}
