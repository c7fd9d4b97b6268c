using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>Finding and describing the columns of a planned schema, through <see cref="SchemaShape"/>'s public surface only.</summary>
internal static class SchemaShapeColumns
{
    /// <summary>The column named <paramref name="name"/>, if any (ML.NET's own <c>TryFindColumn</c> is internal).</summary>
    public static bool TryFind(SchemaShape schema, string name, out SchemaShape.Column column)
    {
        foreach (SchemaShape.Column candidate in schema)
        {
            if (candidate.Name == name)
            {
                column = candidate;
                return true;
            }
        }
        column = default;
        return false;
    }

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
