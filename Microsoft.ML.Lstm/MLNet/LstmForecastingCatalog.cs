using Microsoft.ML.Data;
using Microsoft.ML.Lstm;
using Microsoft.ML.Lstm.MLNetInternals;

namespace Microsoft.ML;

/// <summary>
/// Forecasting with a recurrent network in <c>MLContext.Forecasting</c>: <c>ForecastByLstm</c>, for one series or
/// many at once (<see cref="LstmForecastingEstimator"/>).
/// </summary>
/// <example>
/// <code>
/// var model = mlContext.Forecasting.ForecastByLstm("Forecast", "Value", horizon: 12, seriesColumnName: "Series",
///     lowerBoundColumnName: "Lower", upperBoundColumnName: "Upper").Fit(data);
/// var engine = model.CreateForecastingEngine();
/// </code>
/// </example>
public static class LstmForecastingCatalog
{
    /// <summary>
    /// Forecasts the next <paramref name="horizon"/> values of each series with a recurrent network learned across all
    /// series; every row gets the forecast from its history (NaN until a window of history exists).
    /// </summary>
    /// <param name="catalog">The forecasting catalog.</param>
    /// <param name="outputColumnName">The forecasts: a vector of <paramref name="horizon"/> floats per row.</param>
    /// <param name="inputColumnName">The observed values: a float or double per row, rows in time order; NaN for a missing value.</param>
    /// <param name="horizon">Steps forecast from each row.</param>
    /// <param name="windowSize">Past steps the network reads; 0 chooses for each series from its data (two of its seasons, at least the horizon) and logs the choice.</param>
    /// <param name="seriesColumnName">The series id (text or key), for many series; null for one.</param>
    /// <param name="confidenceLevel">Probability the interval should hold each coming value.</param>
    /// <param name="lowerBoundColumnName">The interval's lower bounds (a vector of <paramref name="horizon"/> floats), or null for none.</param>
    /// <param name="upperBoundColumnName">The interval's upper bounds, or null for none.</param>
    /// <returns>The estimator; see <see cref="LstmForecastingEstimator.Options"/> for the defaults of everything else.</returns>
    public static LstmForecastingEstimator ForecastByLstm(
        this ForecastingCatalog catalog,
        string outputColumnName,
        string inputColumnName,
        int horizon,
        int windowSize = 0,
        string? seriesColumnName = null,
        float confidenceLevel = 0.8f,
        string? lowerBoundColumnName = null,
        string? upperBoundColumnName = null)
        => ForecastByLstm(catalog, new LstmForecastingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Horizon = horizon,
            WindowSize = windowSize,
            SeriesColumnName = seriesColumnName,
            ConfidenceLevel = confidenceLevel,
            LowerBoundColumnName = lowerBoundColumnName,
            UpperBoundColumnName = upperBoundColumnName,
        });

    /// <summary>Forecasts with a recurrent network, with every option (covariates, cell, sizes, epochs, season, baseline, …).</summary>
    /// <param name="catalog">The forecasting catalog.</param>
    /// <param name="options">The options (copied: later changes do not reach the estimator).</param>
    /// <returns>The estimator.</returns>
    public static LstmForecastingEstimator ForecastByLstm(this ForecastingCatalog catalog, LstmForecastingEstimator.Options options)
        => new(MLNetEnvironment.Of(catalog), options);
}
