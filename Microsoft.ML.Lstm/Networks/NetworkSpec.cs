namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The architecture of a <see cref="SequenceNetwork{T}"/>: input → (embedding) → recurrent stack →
/// (pooling over time) → dropout → dense head. With <see cref="Pooling"/> null the head is applied to
/// every step (tagging); otherwise once per sequence.
/// </summary>
internal sealed record NetworkSpec
{
    /// <summary>Token ids (embedded) or numeric feature steps.</summary>
    public required SequenceInputKind Input { get; init; }

    /// <summary>Number of distinct token ids, for a token input.</summary>
    public int VocabularySize { get; init; }

    /// <summary>Embedding dimension, for a token input.</summary>
    public int EmbeddingSize { get; init; }

    /// <summary>Values per step, for a numeric input.</summary>
    public int FeaturesPerStep { get; init; }

    /// <summary>The recurrent cell.</summary>
    public CellType Cell { get; init; } = CellType.Lstm;

    /// <summary>Hidden units per direction and layer.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Stacked recurrent layers.</summary>
    public int LayerCount { get; init; } = 1;

    /// <summary>Whether each recurrent layer also reads the sequence backwards.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>How the two directions are merged.</summary>
    public MergeMode Merge { get; init; } = MergeMode.Concat;

    /// <summary>Dropout rate between recurrent layers and before the head.</summary>
    public double Dropout { get; init; }

    /// <summary>How a sequence becomes one vector; null to predict at every step.</summary>
    public PoolingMode? Pooling { get; init; } = PoolingMode.LastState;

    /// <summary>Outputs of the dense head per sequence (or per step).</summary>
    public required int OutputSize { get; init; }

    /// <summary>Features per step that the first recurrent layer reads.</summary>
    public int RecurrentInputSize => Input == SequenceInputKind.Tokens ? EmbeddingSize : FeaturesPerStep;

    /// <summary>Checks that the sizes make a network; throws naming the first one that does not.</summary>
    public void Validate()
    {
        if (Input == SequenceInputKind.Tokens)
        {
            Require(VocabularySize > 0, nameof(VocabularySize), VocabularySize, "positive");
            Require(EmbeddingSize > 0, nameof(EmbeddingSize), EmbeddingSize, "positive");
        }
        else
        {
            Require(FeaturesPerStep > 0, nameof(FeaturesPerStep), FeaturesPerStep, "positive");
        }
        Require(HiddenSize > 0, nameof(HiddenSize), HiddenSize, "positive");
        Require(LayerCount > 0, nameof(LayerCount), LayerCount, "positive");
        Require(OutputSize > 0, nameof(OutputSize), OutputSize, "positive");
        Require(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "in [0, 1)");
    }

    private static void Require(bool condition, string name, object value, string expectation)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be {expectation}.");
    }
}
