namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>One time step of one series, as the forecasting tests feed ML.NET.</summary>
public sealed class ForecastRow
{
    public string Series { get; set; } = "";
    public float Value { get; set; }
    public float Month { get; set; }
}
