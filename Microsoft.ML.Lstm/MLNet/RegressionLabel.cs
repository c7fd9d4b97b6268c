using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The label of regression: a <see cref="float"/> (one target, <see cref="SingleLabelColumn"/>) or a known-size
/// vector of <see cref="float"/> (K targets, <see cref="SingleVectorLabelColumn"/>), which decides whether the
/// transformer's <c>Score</c> is a number or a vector of K.
/// </summary>
internal static class RegressionLabel
{
    private const string Expected = "Single (a finite number), as ML.NET's regression trainers read, or a known-size vector of Single (several targets)";

    /// <summary>Finds column <paramref name="name"/> of a data set and reads it as one target or several.</summary>
    public static LabelColumn From(DataViewSchema schema, string name, string setName)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data has no label column '{name}'; expected {Expected}.");
        return column.Type switch
        {
            NumberDataViewType number when number == NumberDataViewType.Single => SingleLabelColumn.Of(column, setName),
            VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType item } when item == NumberDataViewType.Single => SingleVectorLabelColumn.Of(column, setName),
            _ => throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data's label column '{name}' is {column.Type}; expected {Expected}."),
        };
    }

    /// <summary>Checks the column's shape when a pipeline is planned; true when it holds several targets (a vector).</summary>
    public static bool CheckShape(SchemaShape schema, string name)
    {
        if (!SchemaShapeColumns.TryFind(schema, name, out SchemaShape.Column column))
            throw ShapeMismatch(name, "missing");
        if (column.IsKey || column.ItemType != NumberDataViewType.Single || column.Kind == SchemaShape.Column.VectorKind.VariableVector)
            throw ShapeMismatch(name, SchemaShapeColumns.Describe(column));
        return column.Kind == SchemaShape.Column.VectorKind.Vector;
    }

    private static ArgumentOutOfRangeException ShapeMismatch(string name, string found) =>
        new("inputSchema", $"Label column '{name}': expected {Expected}; found {found}.");
}
