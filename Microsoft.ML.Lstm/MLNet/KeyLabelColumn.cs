using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The label of multiclass classification: a key column (as <c>MapValueToKey</c> writes it); key k is
/// class k − 1, and the key's values (when text) name the classes.
/// </summary>
internal sealed class KeyLabelColumn : LabelColumn
{
    private const string Expected = "a key of UInt32 with at least two values (map the label with MapValueToKey)";

    private KeyLabelColumn(DataViewSchema.Column column, string setName)
        : base(column, setName)
    {
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            throw WrongType(Expected);
        if (key.Count < 2 || key.Count > int.MaxValue)
            throw WrongType($"{Expected}; it has {key.Count} values");
        ClassCount = (int)key.Count;
        ClassNames = ReadKeyValues(column, ClassCount);
    }

    /// <summary>Reads and checks column <paramref name="name"/> of a data set.</summary>
    public static KeyLabelColumn From(DataViewSchema schema, string name, string setName) =>
        new(Find(schema, name, setName, Expected), setName);

    /// <summary>Checks the column's shape when a pipeline is planned; returns it (its key values name the classes).</summary>
    public static SchemaShape.Column CheckShape(SchemaShape schema, string name)
    {
        if (!SchemaShapeColumns.TryFind(schema, name, out SchemaShape.Column column))
            throw ShapeMismatch(name, Expected, "missing");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !column.IsKey || column.ItemType != NumberDataViewType.UInt32)
            throw ShapeMismatch(name, Expected, SchemaShapeColumns.Describe(column));
        return column;
    }

    /// <summary>Number of classes: the key's count.</summary>
    public int ClassCount { get; }

    /// <summary>The key's text values, one per class; empty when the key has none (or they are not text).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public override int OutputSize => ClassCount;

    /// <inheritdoc/>
    public override int TargetCount(int steps) => 1;

    /// <inheritdoc/>
    public override TargetGetter CreateTargetGetter(DataViewRow row)
    {
        ValueGetter<uint> getLabel = row.GetGetter<uint>(Column);
        uint key = 0;
        string expected = $"a key from 1 to {ClassCount}";
        return (int rowSteps, Span<float> targets) =>
        {
            getLabel(ref key);
            if (key == 0)
                throw BadLabel(row.Position, "the label is missing (key 0, a value MapValueToKey did not know)", expected);
            if (key > ClassCount)
                throw BadLabel(row.Position, $"the label key {key} is out of range", expected);
            targets[0] = key - 1;
        };
    }

    /// <inheritdoc/>
    public override void CheckMatches(LabelColumn training)
    {
        var trainingLabel = (KeyLabelColumn)training;
        CheckSameClasses(ClassCount, ClassNames, trainingLabel.ClassCount, trainingLabel.ClassNames);
    }
}
