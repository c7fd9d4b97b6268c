namespace Microsoft.ML.Lstm;

/// <summary>What the forecasting network's outputs are added to (in each window's scaled units).</summary>
public enum ForecastBaseline
{
    /// <summary>Nothing: the network forecasts each window's scaled values directly.</summary>
    None,

    /// <summary>
    /// The seasonal naive forecast (the value one season earlier, or the last value without a season): the network
    /// learns how the coming values differ from it.
    /// </summary>
    SeasonalNaive,
}
