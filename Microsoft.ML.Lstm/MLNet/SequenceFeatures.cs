using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// What a transformer reads: its feature column, what that column held when the network was trained, how many
/// steps of a longer sequence the network reads (the trainer's <c>MaxSequenceLength</c>, applied when scoring too),
/// and, for a network that spells its tokens, the column of their text (<see cref="Characters"/>).
/// </summary>
/// <param name="ColumnName">The feature column.</param>
/// <param name="Input">Token keys (and their count) or float steps (and their width).</param>
/// <param name="MaxSequenceLength">Steps kept from the start of a longer sequence; 0 keeps all.</param>
internal sealed record SequenceFeatures(string ColumnName, SequenceInput Input, int MaxSequenceLength)
{
    /// <summary>Longest column name a model file may hold, in UTF-8 bytes.</summary>
    private const int MaxColumnNameBytes = 1 << 16;

    /// <summary>
    /// The column of the tokens' text, the characters the network knows and whether it reads word shapes, when the
    /// network spells each token (a tagger with a character column); null when it reads the feature column alone.
    /// Saved in a section of its own (<see cref="SequenceTransformerFile"/>), not in <see cref="Write"/>'s.
    /// </summary>
    public SequenceCharacters? Characters { get; init; }

    /// <summary>
    /// The mean and standard deviation of each feature of a float step over the training steps, which every step is
    /// standardized with before the network reads it (training and scoring alike); null for token keys, for a model
    /// trained without it (<c>StandardizeInputs</c> off) and for a model file written before it existed. Saved in a
    /// section of its own (<see cref="SequenceTransformerFile"/>).
    /// </summary>
    public Standardization? InputScaling { get; init; }

    /// <summary>
    /// For a feature column of raw text, the words it is read as and how text is split into them (built from the
    /// training texts); <see cref="Input"/> is then token keys, one per word. Null for key and float columns and for a
    /// model file written before text input existed. Saved in a section of its own (<see cref="SequenceTransformerFile"/>).
    /// </summary>
    public TextVocabulary? Vocabulary { get; init; }

    /// <summary>Throws when the description cannot have come from a trainer.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(ColumnName))
            throw new InvalidDataException("The feature column has no name.");
        Input.Validate();
        if (MaxSequenceLength < 0)
            throw new InvalidDataException($"The maximum sequence length is {MaxSequenceLength}; expected 0 (all steps) or more.");
        if (Characters is not null && Input.Kind != SequenceInputKind.Tokens)
            throw new InvalidDataException($"The character column '{Characters.ColumnName}' spells tokens, but the feature column '{ColumnName}' holds numeric steps.");
        if (Vocabulary is not null && (Input.Kind != SequenceInputKind.Tokens || Input.TokenKeyCount != (ulong)Vocabulary.Count))
            throw new InvalidDataException($"The text vocabulary holds {Vocabulary.Count} words, but the feature column '{ColumnName}' holds {Describe(Input)}.");
        if (Vocabulary is not null && Characters is not null)
            throw new InvalidDataException($"The feature column '{ColumnName}' holds text, which a network that spells its tokens from a character column does not read.");
        if (InputScaling is not null && (Input.Kind != SequenceInputKind.Features || InputScaling.Count != Input.FeaturesPerStep))
            throw new InvalidDataException($"The input standardization holds {InputScaling.Count} features, but the feature column '{ColumnName}' holds {Describe(Input)}.");
    }

    /// <summary>Throws unless a network with <paramref name="encoder"/> reads what this column holds.</summary>
    public void CheckFits(EncoderSpec encoder)
    {
        bool fits = Input.Kind == encoder.Input && Input.Kind switch
        {
            SequenceInputKind.Tokens => (ulong)encoder.VocabularySize == Input.TokenKeyCount + 1,
            _ => encoder.FeaturesPerStep == Input.FeaturesPerStep,
        };
        if (!fits || (Characters is null && (encoder.ExtraFeaturesPerStep != 0 || encoder.ReadsCharacters)))
            throw new InvalidDataException($"The feature column '{ColumnName}' holds {Describe(Input)}, but the network reads {Describe(encoder)}.");
        Characters?.CheckFits(encoder);
    }

    /// <summary>Writes the description: column name · input kind · features per step · token key count · maximum sequence length.</summary>
    public void Write(ModelSectionWriter section)
    {
        section.WriteString(ColumnName);
        section.WriteEnum(Input.Kind);
        section.WriteInt32(Input.FeaturesPerStep);
        section.WriteInt64(checked((long)Input.TokenKeyCount));
        section.WriteInt32(MaxSequenceLength);
    }

    /// <summary>Reads what <see cref="Write"/> wrote, to the section's end, and checks it.</summary>
    /// <exception cref="InvalidDataException">The section is malformed or describes no real column.</exception>
    public static SequenceFeatures Read(ModelSectionReader section)
    {
        string columnName = section.ReadString("feature column name", MaxColumnNameBytes);
        var kind = section.ReadEnum<SequenceInputKind>("input kind");
        int featuresPerStep = section.ReadInt32("features per step", 0, EncoderSpec.MaxWidth);
        long tokenKeyCount = section.ReadInt64("token key count", 0, EncoderSpec.MaxVocabularySize - 1);
        int maxSequenceLength = section.ReadInt32("maximum sequence length", 0, int.MaxValue);
        section.ExpectEnd();
        var features = new SequenceFeatures(columnName, new SequenceInput(kind, featuresPerStep, (ulong)tokenKeyCount), maxSequenceLength);
        features.Validate();
        return features;
    }

    private static string Describe(SequenceInput input) => input.Kind == SequenceInputKind.Tokens
        ? $"keys of {input.TokenKeyCount} tokens"
        : $"steps of {input.FeaturesPerStep} values";

    private static string Describe(EncoderSpec encoder) =>
        (encoder.Input == SequenceInputKind.Tokens
            ? $"{encoder.VocabularySize} token ids (keys of {encoder.VocabularySize - 1} tokens and the unknown token)"
            : $"steps of {encoder.FeaturesPerStep} values")
        + (encoder.ExtraFeaturesPerStep > 0 ? $" and {encoder.ExtraFeaturesPerStep} more values per step" : "")
        + (encoder.ReadsCharacters ? $" and each token's characters ({encoder.CharacterVocabularySize} character ids)" : "");
}
