namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The architecture of a <see cref="SequenceEncoder{T}"/>: the input (token ids through an embedding, or numeric
/// steps), optionally a second per-step input concatenated to it, then the recurrent stack:
/// <code>
/// tokens [N] → embedding [N, E]   (or numeric steps [N, F])
///   ⊕ extra per-step input [N, X]  (when ExtraFeaturesPerStep &gt; 0)
///   → recurrent stack → per-step features [N, D] and the final states of every layer and direction
/// </code>
/// </summary>
internal sealed record EncoderSpec
{
    /// <summary>Most token ids an embedding may have.</summary>
    public const int MaxVocabularySize = 1 << 24;

    /// <summary>Most values per step of an input, embedding or hidden state.</summary>
    public const int MaxWidth = 1 << 14;

    /// <summary>Most stacked layers.</summary>
    public const int MaxLayerCount = 64;

    /// <summary>Token ids (embedded) or numeric feature steps.</summary>
    public required SequenceInputKind Input { get; init; }

    /// <summary>Number of distinct token ids, for a token input.</summary>
    public int VocabularySize { get; init; }

    /// <summary>Embedding dimension, for a token input.</summary>
    public int EmbeddingSize { get; init; }

    /// <summary>Values per step, for a numeric input.</summary>
    public int FeaturesPerStep { get; init; }

    /// <summary>Values per step of a second input concatenated to the first (character features, covariates); 0 for none.</summary>
    public int ExtraFeaturesPerStep { get; init; }

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

    /// <summary>Dropout rate between recurrent layers.</summary>
    public double Dropout { get; init; }

    /// <summary>1, or 2 when bidirectional.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Features per step that the first recurrent layer reads.</summary>
    public int RecurrentInputSize => (Input == SequenceInputKind.Tokens ? EmbeddingSize : FeaturesPerStep) + ExtraFeaturesPerStep;

    /// <summary>Features per step the encoder gives (D): H, or 2H for concatenated directions.</summary>
    public int OutputSize => Bidirectional && Merge == MergeMode.Concat ? 2 * HiddenSize : HiddenSize;

    /// <summary>Checks that the sizes make an encoder within this library's limits; throws naming the first one that does not.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Input) || !Enum.IsDefined(Cell) || !Enum.IsDefined(Merge))
            throw new ArgumentOutOfRangeException(nameof(Input), $"Unknown input ({Input}), cell ({Cell}) or merge mode ({Merge}).");
        if (Input == SequenceInputKind.Tokens)
        {
            Require(VocabularySize is > 0 and <= MaxVocabularySize, nameof(VocabularySize), VocabularySize, $"in [1, {MaxVocabularySize}]");
            Require(EmbeddingSize is > 0 and <= MaxWidth, nameof(EmbeddingSize), EmbeddingSize, $"in [1, {MaxWidth}]");
            Require(FeaturesPerStep == 0, nameof(FeaturesPerStep), FeaturesPerStep, "0 for a token input");
        }
        else
        {
            Require(FeaturesPerStep is > 0 and <= MaxWidth, nameof(FeaturesPerStep), FeaturesPerStep, $"in [1, {MaxWidth}]");
            Require(VocabularySize == 0 && EmbeddingSize == 0, nameof(VocabularySize), VocabularySize, "0 for a numeric input");
        }
        Require(ExtraFeaturesPerStep is >= 0 and <= MaxWidth, nameof(ExtraFeaturesPerStep), ExtraFeaturesPerStep, $"in [0, {MaxWidth}]");
        Require(HiddenSize is > 0 and <= MaxWidth, nameof(HiddenSize), HiddenSize, $"in [1, {MaxWidth}]");
        Require(LayerCount is > 0 and <= MaxLayerCount, nameof(LayerCount), LayerCount, $"in [1, {MaxLayerCount}]");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "in [0, 1)");
    }

    /// <summary>How many weights the encoder has, computed from the sizes alone (for checking a file before anything is built).</summary>
    public long ParameterCount()
    {
        long h = HiddenSize, gates = (Cell == CellType.Gru ? 3 : 4) * h;
        long count = Input == SequenceInputKind.Tokens ? (long)VocabularySize * EmbeddingSize : 0;
        long input = RecurrentInputSize;
        for (int k = 0; k < LayerCount; k++)
        {
            long perDirection = gates * input + gates * h + (Cell == CellType.Gru ? 2 * gates : gates) + (Cell == CellType.PeepholeLstm ? 3 * h : 0);
            count += Directions * perDirection;
            input = OutputSize;
        }
        return count;
    }

    internal static void Require(bool condition, string name, object value, string expectation)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be {expectation}.");
    }
}
