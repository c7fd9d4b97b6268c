using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>The label of regression: a <see cref="float"/> column whose every value is finite.</summary>
internal sealed class SingleLabelColumn : LabelColumn
{
    private const string Expected = "Single (a finite number), as ML.NET's regression trainers read";

    private SingleLabelColumn(DataViewSchema.Column column, string setName)
        : base(column, setName)
    {
        if (column.Type != NumberDataViewType.Single)
            throw WrongType(Expected);
    }

    /// <summary>Reads and checks column <paramref name="name"/> of a data set.</summary>
    public static SingleLabelColumn From(DataViewSchema schema, string name, string setName) =>
        new(Find(schema, name, setName, Expected), setName);

    /// <summary>Checks the column's shape when a pipeline is planned.</summary>
    public static void CheckShape(SchemaShape schema, string name)
    {
        if (!SchemaShapeColumns.TryFind(schema, name, out SchemaShape.Column column))
            throw ShapeMismatch(name, "missing");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.IsKey || column.ItemType != NumberDataViewType.Single)
            throw ShapeMismatch(name, SchemaShapeColumns.Describe(column));
    }

    /// <inheritdoc/>
    public override int OutputSize => 1;

    /// <inheritdoc/>
    public override Func<float> CreateTargetGetter(DataViewRow row)
    {
        ValueGetter<float> getLabel = row.GetGetter<float>(Column);
        float label = 0;
        return () =>
        {
            getLabel(ref label);
            if (float.IsNaN(label))
                throw BadLabel(row.Position, "the label is missing (NaN)", "a finite number");
            if (!float.IsFinite(label))
                throw BadLabel(row.Position, $"the label is {label}", "a finite number");
            return label;
        };
    }

    private static ArgumentOutOfRangeException ShapeMismatch(string name, string found) =>
        new("inputSchema", $"Label column '{name}': expected {Expected}; found {found}.");
}
