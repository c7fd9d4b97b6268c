using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A trainer's feature column: checked to hold one sequence per row (a vector of keys, or a vector of
/// floats read as steps of <c>FeaturesPerStep</c> values); <see cref="SequenceRowReader"/> reads its rows.
/// </summary>
internal sealed class SequenceFeatureColumn
{
    private const string Expected = "a vector of keys (tokens mapped by MapValueToKey) or a vector of Single (numeric steps)";

    /// <summary>The annotation holding a key column's values (ML.NET's <c>AnnotationUtils.Kinds.KeyValues</c>).</summary>
    private const string KeyValuesAnnotation = "KeyValues";

    private SequenceFeatureColumn(DataViewSchema.Column column, string setName, SequenceInput input)
    {
        Column = column;
        SetName = setName;
        Input = input;
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
    public static SequenceFeatureColumn From(DataViewSchema schema, string name, int featuresPerStep, string setName)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data has no feature column '{name}'; expected {Expected}.");
        if (column.Type is not VectorDataViewType vector)
            throw WrongType(column, setName);
        if (vector.ItemType is KeyDataViewType key && key.RawType == typeof(uint))
        {
            if (key.Count == 0 || key.Count >= int.MaxValue)
                throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data's feature column '{name}' has keys with {key.Count} values; expected a known count below {int.MaxValue}.");
            return new SequenceFeatureColumn(column, setName, SequenceInput.TokenKeys(key.Count));
        }
        if (vector.ItemType != NumberDataViewType.Single)
            throw WrongType(column, setName);
        if (vector.IsKnownSize && vector.Size % featuresPerStep != 0)
        {
            throw new ArgumentOutOfRangeException(setName + "Data",
                $"The {setName} data's feature column '{name}' holds {vector.Size} values per row, not a whole number of steps of {featuresPerStep} (FeaturesPerStep).");
        }
        return new SequenceFeatureColumn(column, setName, SequenceInput.FloatSteps(featuresPerStep));
    }

    /// <summary>Checks the column's shape when a pipeline is planned.</summary>
    public static void CheckShape(SchemaShape schema, string name)
    {
        if (!SchemaShapeColumns.TryFind(schema, name, out SchemaShape.Column column))
            throw new ArgumentOutOfRangeException("inputSchema", $"Feature column '{name}': expected {Expected}; found none.");
        bool isVector = column.Kind is SchemaShape.Column.VectorKind.Vector or SchemaShape.Column.VectorKind.VariableVector;
        bool isTokens = column.IsKey && column.ItemType == NumberDataViewType.UInt32;
        bool isFloats = !column.IsKey && column.ItemType == NumberDataViewType.Single;
        if (!isVector || !(isTokens || isFloats))
            throw new ArgumentOutOfRangeException("inputSchema", $"Feature column '{name}': expected {Expected}; found {SchemaShapeColumns.Describe(column)}.");
    }

    /// <summary>Throws when a validation set's column cannot be scored by a network trained on <paramref name="training"/>'s.</summary>
    public void CheckMatches(SequenceFeatureColumn training)
    {
        if (Input != training.Input)
        {
            throw new ArgumentOutOfRangeException(SetName + "Data",
                $"The {SetName} data's feature column '{Column.Name}' is {Column.Type}, the training data's is {training.Column.Type}: " +
                "they must hold the same kind of sequence (for tokens, map both with the same MapValueToKey transformer).");
        }
    }

    private static ArgumentOutOfRangeException WrongType(DataViewSchema.Column column, string setName) =>
        new(setName + "Data", $"The {setName} data's feature column '{column.Name}' is {column.Type}; expected {Expected}.");
}
