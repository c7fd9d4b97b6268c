namespace Microsoft.ML.Lstm;

/// <summary>A forecast of the next steps of one series, with its interval (NaN throughout while the series has too little history).</summary>
/// <param name="Forecast">The forecast of each of the next H steps (the median of the network's quantile outputs).</param>
/// <param name="LowerBound">The interval's lower bound at each step.</param>
/// <param name="UpperBound">The interval's upper bound at each step.</param>
public sealed record SeriesForecast(float[] Forecast, float[] LowerBound, float[] UpperBound);
