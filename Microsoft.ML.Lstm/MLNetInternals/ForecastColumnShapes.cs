using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNetInternals;

/// <summary>The forecasting columns an estimator promises in <c>GetOutputSchema</c> (<c>SchemaShape.Column</c>'s constructor is internal to ML.NET).</summary>
internal static class ForecastColumnShapes
{
    /// <summary><paramref name="inputSchema"/> with a vector of floats for each of <paramref name="names"/> (replacing a column of the same name).</summary>
    public static SchemaShape Add(SchemaShape inputSchema, IReadOnlyList<string> names)
    {
        var columns = inputSchema.ToDictionary(column => column.Name);
        foreach (string name in names)
            columns[name] = new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }
}
