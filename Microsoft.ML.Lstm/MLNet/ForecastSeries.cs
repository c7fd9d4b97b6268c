namespace Microsoft.ML.Lstm.MLNet;

/// <summary>One series read from the training data: its name, its values in time order (NaN where missing) and covariates [n, C].</summary>
internal sealed record ForecastSeries(string Name, float[] Values, float[] Covariates, long FirstRow)
{
    /// <summary>Steps in the series.</summary>
    public int Length => Values.Length;

    /// <summary>The name as messages give it.</summary>
    public string Describe() => Name.Length == 0 ? "The series" : $"The series '{Name}'";
}
