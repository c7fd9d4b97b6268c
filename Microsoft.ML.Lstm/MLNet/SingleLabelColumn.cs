using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>The label of regression with one target: a <see cref="float"/> column whose every value is finite.</summary>
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
            throw ShapeMismatch(name, Expected, "missing");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.IsKey || column.ItemType != NumberDataViewType.Single)
            throw ShapeMismatch(name, Expected, SchemaShapeColumns.Describe(column));
    }

    /// <inheritdoc/>
    public override int OutputSize => 1;

    /// <inheritdoc/>
    public override int TargetCount(int steps) => 1;

    /// <inheritdoc/>
    public override TargetGetter CreateTargetGetter(DataViewRow row)
    {
        ValueGetter<float> getLabel = row.GetGetter<float>(Column);
        float label = 0;
        return (int rowSteps, Span<float> targets) =>
        {
            getLabel(ref label);
            if (float.IsNaN(label))
                throw BadLabel(row.Position, "the label is missing (NaN)", "a finite number");
            if (!float.IsFinite(label))
                throw BadLabel(row.Position, $"the label is {label}", "a finite number");
            targets[0] = label;
        };
    }
}
