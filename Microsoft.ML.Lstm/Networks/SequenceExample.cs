namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// One training example: a sequence (token ids, or numeric steps laid out step-major) and its targets —
/// one value per sequence for classification (the class index, or 0/1), <c>OutputSize</c> values for
/// regression, or one class index per step for tagging.
/// </summary>
internal sealed record SequenceExample
{
    /// <summary>Creates an example of token ids.</summary>
    public static SequenceExample FromTokens(int[] tokens, float[] targets) => new() { Tokens = tokens, Targets = targets };

    /// <summary>Creates an example of numeric steps (steps × features per step values).</summary>
    public static SequenceExample FromFeatures(float[] features, float[] targets) => new() { Features = features, Targets = targets };

    /// <summary>Token ids, or null.</summary>
    public int[]? Tokens { get; private init; }

    /// <summary>Numeric steps, step-major, or null.</summary>
    public float[]? Features { get; private init; }

    /// <summary>What the network should output for this sequence.</summary>
    public float[] Targets { get; private init; } = Array.Empty<float>();

    /// <summary>A second input per step (steps × its width, step-major), for an encoder that reads one; else null.</summary>
    public float[]? ExtraFeatures { get; init; }

    /// <summary>Each token's character ids, for an encoder that reads characters; else null.</summary>
    public int[][]? Characters { get; init; }
}
