namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The architecture of a <see cref="SequenceEncoder{T}"/>: the input (token ids through an embedding, or numeric
/// steps), optionally a second per-step input and each token's character features concatenated to it, then the
/// recurrent stack:
/// <code>
/// tokens [N] → embedding [N, E]   (or numeric steps [N, F])
///   ⊕ extra per-step input [N, X]  (when ExtraFeaturesPerStep &gt; 0: word shapes, covariates)
///   ⊕ character features [N, 2C]   (when CharacterVocabularySize &gt; 0: a character BiLSTM over each token)
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

    /// <summary>Distinct character ids of the character encoder; 0 for none.</summary>
    public int CharacterVocabularySize { get; init; }

    /// <summary>Values per character of the character encoder's embedding.</summary>
    public int CharacterEmbeddingSize { get; init; }

    /// <summary>Hidden units per direction of the character encoder's BiLSTM (C); each token gets 2C features.</summary>
    public int CharacterHiddenSize { get; init; }

    /// <summary>Whether each token's characters are encoded too.</summary>
    public bool ReadsCharacters => CharacterVocabularySize > 0;

    /// <summary>Features per token the character encoder adds: 2C, or 0.</summary>
    public int CharacterFeatureSize => ReadsCharacters ? 2 * CharacterHiddenSize : 0;

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
    public int RecurrentInputSize => PrimaryInputSize + ExtraFeaturesPerStep + CharacterFeatureSize;

    /// <summary>Features per step of the first input: the embedding, or the numeric steps.</summary>
    public int PrimaryInputSize => Input == SequenceInputKind.Tokens ? EmbeddingSize : FeaturesPerStep;

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
        Require(CharacterVocabularySize is >= 0 and <= MaxVocabularySize, nameof(CharacterVocabularySize), CharacterVocabularySize, $"in [0, {MaxVocabularySize}]");
        if (ReadsCharacters)
        {
            Require(Input == SequenceInputKind.Tokens, nameof(CharacterVocabularySize), CharacterVocabularySize, "0 for a numeric input (characters belong to tokens)");
            Require(CharacterEmbeddingSize is > 0 and <= MaxWidth, nameof(CharacterEmbeddingSize), CharacterEmbeddingSize, $"in [1, {MaxWidth}]");
            Require(CharacterHiddenSize is > 0 and <= MaxWidth, nameof(CharacterHiddenSize), CharacterHiddenSize, $"in [1, {MaxWidth}]");
        }
        else
        {
            Require(CharacterEmbeddingSize == 0 && CharacterHiddenSize == 0, nameof(CharacterEmbeddingSize), CharacterEmbeddingSize, "0 without a character vocabulary");
        }
        Require(HiddenSize is > 0 and <= MaxWidth, nameof(HiddenSize), HiddenSize, $"in [1, {MaxWidth}]");
        Require(LayerCount is > 0 and <= MaxLayerCount, nameof(LayerCount), LayerCount, $"in [1, {MaxLayerCount}]");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "in [0, 1)");
    }

    /// <summary>How many weights the encoder has, computed from the sizes alone (for checking a file before anything is built).</summary>
    public long ParameterCount()
    {
        long h = HiddenSize;
        long count = Input == SequenceInputKind.Tokens ? (long)VocabularySize * EmbeddingSize : 0;
        long input = RecurrentInputSize;
        for (int k = 0; k < LayerCount; k++)
        {
            count += Directions * LayerParameterCount(Cell, input, h);
            input = OutputSize;
        }
        if (ReadsCharacters)
            count += (long)CharacterVocabularySize * CharacterEmbeddingSize + 2 * LayerParameterCount(CharacterEncoder<float>.Cell, CharacterEmbeddingSize, CharacterHiddenSize);
        return count;
    }

    /// <summary>Weights of one direction of one recurrent layer.</summary>
    private static long LayerParameterCount(CellType cell, long input, long hidden)
    {
        long gates = (cell == CellType.Gru ? 3 : 4) * hidden;
        return gates * input + gates * hidden + (cell == CellType.Gru ? 2 * gates : gates) + (cell == CellType.PeepholeLstm ? 3 * hidden : 0);
    }

    internal static void Require(bool condition, string name, object value, string expectation)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be {expectation}.");
    }
}
