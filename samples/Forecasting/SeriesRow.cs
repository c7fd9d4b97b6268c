namespace Forecasting;

/// <summary>One time step of one series: what the forecaster reads.</summary>
public sealed class SeriesRow
{
    public string Series { get; set; } = "";
    public float Value { get; set; }
}
