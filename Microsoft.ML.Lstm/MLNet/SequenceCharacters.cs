using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// What a transformer reads beside its token keys, when the network spells each token: the column of the tokens
/// as written (a vector of text, one per token), the characters the network knows, and whether the network also
/// reads each token's <see cref="WordShape"/>.
/// </summary>
/// <param name="ColumnName">The column of the tokens' text.</param>
/// <param name="Vocabulary">The known characters and their ids.</param>
/// <param name="WordShapes">Whether each token's four word-shape values are the encoder's extra per-step input.</param>
internal sealed record SequenceCharacters(string ColumnName, CharacterVocabulary Vocabulary, bool WordShapes)
{
    /// <summary>Longest column name a model file may hold, in UTF-8 bytes.</summary>
    private const int MaxColumnNameBytes = 1 << 16;

    /// <summary>Extra values per step the encoder reads: the word shapes, or none.</summary>
    public int ExtraFeaturesPerStep => WordShapes ? WordShape.FeatureCount : 0;

    /// <summary>Throws unless a network with <paramref name="encoder"/> reads these characters and word shapes.</summary>
    public void CheckFits(EncoderSpec encoder)
    {
        if (encoder.CharacterVocabularySize != Vocabulary.Size || encoder.ExtraFeaturesPerStep != ExtraFeaturesPerStep)
        {
            throw new InvalidDataException(
                $"The character column '{ColumnName}' gives {Vocabulary.Size} character ids and {ExtraFeaturesPerStep} word-shape values per token, " +
                $"but the network reads {encoder.CharacterVocabularySize} character ids and {encoder.ExtraFeaturesPerStep} extra values per token.");
        }
    }

    /// <summary>Writes the description: column name · word shapes · the vocabulary (<see cref="CharacterVocabulary.Write"/>).</summary>
    public void Write(ModelSectionWriter section)
    {
        section.WriteString(ColumnName);
        section.WriteBoolean(WordShapes);
        Vocabulary.Write(section);
    }

    /// <summary>Reads what <see cref="Write"/> wrote, to the section's end.</summary>
    /// <exception cref="InvalidDataException">The section is malformed.</exception>
    public static SequenceCharacters Read(ModelSectionReader section)
    {
        string columnName = section.ReadString("character column name", MaxColumnNameBytes);
        if (columnName.Length == 0)
            throw new InvalidDataException($"The model file's section '{section.Name}' is malformed: the character column has no name.");
        bool wordShapes = section.ReadBoolean("word shapes");
        CharacterVocabulary vocabulary = CharacterVocabulary.Read(section);
        section.ExpectEnd();
        return new SequenceCharacters(columnName, vocabulary, wordShapes);
    }
}
