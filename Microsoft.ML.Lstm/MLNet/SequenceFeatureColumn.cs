using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A trainer's feature column: checked to hold one sequence per row (raw text split into words by a
/// <see cref="TextVocabulary"/>, a vector of keys, or a vector of floats read as steps of <c>FeaturesPerStep</c>
/// values); <see cref="SequenceRowReader"/> reads its rows.
/// </summary>
internal sealed class SequenceFeatureColumn
{
    private const string Expected = "String (text), a vector of keys (tokens mapped by MapValueToKey) or a vector of Single (numeric steps)";

    private const string ExpectedWithoutText = "a vector of keys (tokens mapped by MapValueToKey) or a vector of Single (numeric steps)";

    /// <summary>The annotation holding a key column's values (ML.NET's <c>AnnotationUtils.Kinds.KeyValues</c>).</summary>
    private const string KeyValuesAnnotation = "KeyValues";

    private SequenceFeatureColumn(DataViewSchema.Column column, string setName, SequenceInput input, bool isText = false, TextVocabulary? vocabulary = null)
    {
        Column = column;
        SetName = setName;
        Input = input;
        IsText = isText;
        Vocabulary = vocabulary;
    }

    /// <summary>
    /// Whether the column holds raw text (a <c>String</c> per row); its <see cref="Input"/> is token keys once
    /// <see cref="WithVocabulary"/> has given it the words.
    /// </summary>
    public bool IsText { get; }

    /// <summary>The words a text column is read as; null for keys and floats, and for a text column before <see cref="WithVocabulary"/>.</summary>
    public TextVocabulary? Vocabulary { get; }

    /// <summary>This text column read with <paramref name="vocabulary"/>: token ids 0 to its count − 1, and the unknown token.</summary>
    public SequenceFeatureColumn WithVocabulary(TextVocabulary vocabulary)
    {
        if (!IsText)
            throw new InvalidOperationException($"The feature column '{Column.Name}' holds no text.");
        return new SequenceFeatureColumn(Column, SetName, SequenceInput.TokenKeys((ulong)vocabulary.Count), isText: true, vocabulary);
    }

    /// <summary>The column in the data set it was read from.</summary>
    public DataViewSchema.Column Column { get; }

    /// <summary>"training" or "validation", for messages.</summary>
    public string SetName { get; }

    /// <summary>What the column holds, as the transformer records it.</summary>
    public SequenceInput Input { get; }

    /// <summary>
    /// The text of each token (the key values <c>MapValueToKey</c> keeps), by token index; null when the
    /// column holds floats or its keys have no text values.
    /// </summary>
    public IReadOnlyList<string>? TokenTexts()
    {
        if (Vocabulary is not null)
            return Vocabulary.Words;
        if (Input.Kind != SequenceInputKind.Tokens
            || Column.Annotations.Schema.GetColumnOrNull(KeyValuesAnnotation)?.Type is not VectorDataViewType { ItemType: TextDataViewType } type
            || type.Size != (int)Input.TokenKeyCount)
        {
            return null;
        }
        VBuffer<ReadOnlyMemory<char>> values = default;
        Column.GetKeyValues(ref values);
        return [.. values.DenseValues().Select(value => value.ToString())];
    }

    /// <summary>Finds and checks column <paramref name="name"/> of a data set.</summary>
    /// <param name="schema">The data set's schema.</param>
    /// <param name="name">The feature column.</param>
    /// <param name="featuresPerStep">Floats per step, for a float column.</param>
    /// <param name="setName">"training" or "validation", for messages.</param>
    /// <param name="acceptsText">Whether the trainer reads raw text (a tagger reads given tokens, not text).</param>
    public static SequenceFeatureColumn From(DataViewSchema schema, string name, int featuresPerStep, string setName, bool acceptsText = true)
    {
        string expected = acceptsText ? Expected : ExpectedWithoutText;
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data has no feature column '{name}'; expected {expected}.");
        if (acceptsText && column.Type is TextDataViewType)
            return new SequenceFeatureColumn(column, setName, default, isText: true);
        if (column.Type is not VectorDataViewType vector)
            throw WrongType(column, setName, expected);
        if (vector.ItemType is KeyDataViewType key && key.RawType == typeof(uint))
        {
            if (key.Count == 0 || key.Count >= int.MaxValue)
                throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data's feature column '{name}' has keys with {key.Count} values; expected a known count below {int.MaxValue}.");
            return new SequenceFeatureColumn(column, setName, SequenceInput.TokenKeys(key.Count));
        }
        if (vector.ItemType != NumberDataViewType.Single)
            throw WrongType(column, setName, expected);
        if (vector.IsKnownSize && vector.Size % featuresPerStep != 0)
        {
            throw new ArgumentOutOfRangeException(setName + "Data",
                $"The {setName} data's feature column '{name}' holds {vector.Size} values per row, not a whole number of steps of {featuresPerStep} (FeaturesPerStep).");
        }
        return new SequenceFeatureColumn(column, setName, SequenceInput.FloatSteps(featuresPerStep));
    }

    /// <summary>Checks the column's shape when a pipeline is planned.</summary>
    /// <param name="schema">The planned schema.</param>
    /// <param name="name">The feature column.</param>
    /// <param name="acceptsText">Whether the trainer reads raw text.</param>
    public static void CheckShape(SchemaShape schema, string name, bool acceptsText = true)
    {
        string expected = acceptsText ? Expected : ExpectedWithoutText;
        if (!SchemaShapeColumns.TryFind(schema, name, out SchemaShape.Column column))
            throw new ArgumentOutOfRangeException("inputSchema", $"Feature column '{name}': expected {expected}; found none.");
        bool isVector = column.Kind is SchemaShape.Column.VectorKind.Vector or SchemaShape.Column.VectorKind.VariableVector;
        bool isTokens = column.IsKey && column.ItemType == NumberDataViewType.UInt32;
        bool isFloats = !column.IsKey && column.ItemType == NumberDataViewType.Single;
        bool isText = acceptsText && column.Kind == SchemaShape.Column.VectorKind.Scalar && !column.IsKey && column.ItemType is TextDataViewType;
        if (!isText && (!isVector || !(isTokens || isFloats)))
            throw new ArgumentOutOfRangeException("inputSchema", $"Feature column '{name}': expected {expected}; found {SchemaShapeColumns.Describe(column)}.");
    }

    /// <summary>Throws when a validation set's column cannot be scored by a network trained on <paramref name="training"/>'s.</summary>
    public void CheckMatches(SequenceFeatureColumn training)
    {
        if (IsText != training.IsText || (!IsText && Input != training.Input))
        {
            throw new ArgumentOutOfRangeException(SetName + "Data",
                $"The {SetName} data's feature column '{Column.Name}' is {Column.Type}, the training data's is {training.Column.Type}: " +
                "they must hold the same kind of sequence (for tokens, map both with the same MapValueToKey transformer).");
        }
    }

    private static ArgumentOutOfRangeException WrongType(DataViewSchema.Column column, string setName, string expected) =>
        new(setName + "Data", $"The {setName} data's feature column '{column.Name}' is {column.Type}; expected {expected}.");
}
