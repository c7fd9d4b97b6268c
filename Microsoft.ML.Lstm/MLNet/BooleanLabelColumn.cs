using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>The label of binary classification: a <see cref="bool"/> column, true being the positive class (target 1).</summary>
internal sealed class BooleanLabelColumn : LabelColumn
{
    private const string Expected = "Boolean (true for the positive class), as ML.NET's binary trainers read";

    private BooleanLabelColumn(DataViewSchema.Column column, string setName)
        : base(column, setName)
    {
        if (column.Type != BooleanDataViewType.Instance)
            throw WrongType(Expected);
    }

    /// <summary>Reads and checks column <paramref name="name"/> of a data set.</summary>
    public static BooleanLabelColumn From(DataViewSchema schema, string name, string setName) =>
        new(Find(schema, name, setName, Expected), setName);

    /// <summary>Checks the column's shape when a pipeline is planned.</summary>
    public static void CheckShape(SchemaShape schema, string name)
    {
        if (!SchemaShapeColumns.TryFind(schema, name, out SchemaShape.Column column))
            throw ShapeMismatch(name, Expected, "missing");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.IsKey || column.ItemType != BooleanDataViewType.Instance)
            throw ShapeMismatch(name, Expected, SchemaShapeColumns.Describe(column));
    }

    /// <inheritdoc/>
    public override int OutputSize => 1;

    /// <inheritdoc/>
    public override int TargetCount(int steps) => 1;

    /// <inheritdoc/>
    public override TargetGetter CreateTargetGetter(DataViewRow row)
    {
        ValueGetter<bool> getLabel = row.GetGetter<bool>(Column);
        bool label = false;
        return (int rowSteps, Span<float> targets) =>
        {
            getLabel(ref label);
            targets[0] = label ? 1f : 0f;
        };
    }
}
