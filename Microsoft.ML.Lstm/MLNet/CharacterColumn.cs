using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A tagger's character column: the tokens as written, a vector of text with one entry per token of the feature
/// column (the <c>string[]</c> that <c>MapValueToKey</c> mapped to the token keys, before mapping). Checked here;
/// <see cref="CharacterRowReader"/> reads its rows.
/// </summary>
internal static class CharacterColumn
{
    /// <summary>What the column must hold, for messages.</summary>
    public const string Expected = "a vector of text: each token as written, one per token of the feature column";

    /// <summary>Finds and checks column <paramref name="name"/> of a data set.</summary>
    /// <param name="schema">The data set's schema.</param>
    /// <param name="name">The character column.</param>
    /// <param name="setName">"training" or "validation", for messages.</param>
    public static DataViewSchema.Column From(DataViewSchema schema, string name, string setName)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data has no character column '{name}'; expected {Expected}.");
        if (!HoldsText(column.Type))
            throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data's character column '{name}' is {column.Type}; expected {Expected}.");
        return column;
    }

    /// <summary>Checks the column's shape when a pipeline is planned.</summary>
    public static void CheckShape(SchemaShape schema, string name)
    {
        if (!SchemaShapeColumns.TryFind(schema, name, out SchemaShape.Column column))
            throw new ArgumentOutOfRangeException("inputSchema", $"Character column '{name}': expected {Expected}; found none.");
        bool isVector = column.Kind is SchemaShape.Column.VectorKind.Vector or SchemaShape.Column.VectorKind.VariableVector;
        if (!isVector || column.IsKey || column.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException("inputSchema", $"Character column '{name}': expected {Expected}; found {SchemaShapeColumns.Describe(column)}.");
    }

    /// <summary>Whether a column of <paramref name="type"/> can be read as the tokens' text.</summary>
    public static bool HoldsText(DataViewType type) => type is VectorDataViewType { ItemType: TextDataViewType };
}
