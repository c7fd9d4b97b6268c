using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>Describes a planned column's type for error messages, as a user would write it.</summary>
internal static class ColumnShapeText
{
    /// <summary>E.g. "Single", "variable-length vector of Key&lt;UInt32&gt;".</summary>
    public static string Describe(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType?.ToString() ?? "unknown";
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => $"fixed-length vector of {item}",
            SchemaShape.Column.VectorKind.VariableVector => $"variable-length vector of {item}",
            _ => item,
        };
    }
}
