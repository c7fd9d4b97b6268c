using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Xunit.Abstractions;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Covariates whose future values are known: a value driven by a promotion flag known ahead is forecast far better
/// with it; rows past the data's end are appended with NaN values; save/load, the engine and the row order of series
/// agree with Transform.
/// </summary>
public class LstmForecastingCovariateTests(ITestOutputHelper output)
{
    private const int Horizon = 4;

    /// <summary>One step of a series with a promotion flag planned ahead.</summary>
    public sealed class PromotionRow
    {
        public string Series { get; set; } = "";
        public float Sales { get; set; }
        public float Promotion { get; set; }
    }

    /// <summary>sales_t = 20 + 8·promotion_t + N(0, 1), with a promotion on about a quarter of the steps, at random.</summary>
    private static List<PromotionRow> Promotions(string series, int length, int seed)
    {
        var random = new Random(seed);
        var rows = new List<PromotionRow>(length);
        for (int t = 0; t < length; t++)
        {
            float promotion = random.NextDouble() < 0.25 ? 1 : 0;
            rows.Add(new PromotionRow { Series = series, Promotion = promotion, Sales = (float)(20 + 8 * promotion + ForecastTestData.Gaussian(random)) });
        }
        return rows;
    }

    private static LstmForecastingEstimator.Options Options(bool covariate, int epochs = 40) => new()
    {
        InputColumnName = nameof(PromotionRow.Sales),
        SeriesColumnName = nameof(PromotionRow.Series),
        CovariateColumnNames = covariate ? [nameof(PromotionRow.Promotion)] : [],
        LowerBoundColumnName = "Lower",
        UpperBoundColumnName = "Upper",
        Horizon = Horizon,
        WindowSize = 8,
        Seasonality = 1,
        HiddenSize = 8,
        Epochs = epochs,
        Seed = 1,
        NumberOfThreads = 2,
    };

    /// <summary>Mean absolute error of the forecasts from rows [from, rows.Count − H) against the next H values.</summary>
    private static double Error(List<PromotionRow> rows, List<(string Series, float[] Forecast, float[] Lower, float[] Upper)> outputs, int from)
    {
        double sum = 0;
        int count = 0;
        for (int origin = from; origin + Horizon < rows.Count; origin++)
        {
            for (int h = 0; h < Horizon; h++)
            {
                Assert.True(float.IsFinite(outputs[origin].Forecast[h]), $"row {origin} step {h + 1}");
                sum += Math.Abs(outputs[origin].Forecast[h] - rows[origin + 1 + h].Sales);
                count++;
            }
        }
        return sum / count;
    }

    [Fact]
    public void AKnownFuturePromotionIsForecastFarBetterWithItThanWithout()
    {
        var ml = new MLContext(seed: 1);
        List<PromotionRow> rows = Promotions("shop", 400, seed: 3);
        IDataView training = ml.Data.LoadFromEnumerable(rows[..320]), all = ml.Data.LoadFromEnumerable(rows);

        double with = Error(rows, ForecastTestData.Outputs(ml.Forecasting.ForecastByLstm(Options(covariate: true)).Fit(training), all), from: 320);
        double without = Error(rows, ForecastTestData.Outputs(ml.Forecasting.ForecastByLstm(Options(covariate: false)).Fit(training), all), from: 320);

        output.WriteLine($"Mean absolute error over the last 80 rows' {Horizon}-step forecasts: with the promotion {with:F3}, without {without:F3}.");
        // The noise alone gives a mean absolute error of 0.8; not knowing the promotions costs about 3 more.
        Assert.True(with < 0.5 * without, $"MAE with the promotion {with:F3}, without {without:F3}");
        Assert.InRange(with, 0, 1.6);
    }

    [Fact]
    public void AppendedRowsWithNaNValuesCarryTheCovariatesPastTheEnd()
    {
        var ml = new MLContext(seed: 1);
        List<PromotionRow> rows = Promotions("shop", 200, seed: 4);
        var model = ml.Forecasting.ForecastByLstm(Options(covariate: true, epochs: 5)).Fit(ml.Data.LoadFromEnumerable(rows));
        List<PromotionRow> future = Promotions("shop", Horizon, seed: 5);
        foreach (PromotionRow row in future)
            row.Sales = float.NaN;

        var outputs = ForecastTestData.Outputs(model, ml.Data.LoadFromEnumerable(rows.Concat(future)));
        // The last observed row has its H future rows: it is forecast; the appended rows have fewer than H after them: NaN.
        Assert.All(outputs[rows.Count - 1].Forecast, v => Assert.True(float.IsFinite(v)));
        Assert.All(outputs[^Horizon..], o => Assert.All(o.Forecast, v => Assert.True(float.IsNaN(v))));
        // Without the appended rows the last H observed rows have no future covariates, and get NaN.
        Assert.All(ForecastTestData.Outputs(model, ml.Data.LoadFromEnumerable(rows))[^Horizon..], o => Assert.True(float.IsNaN(o.Forecast[0])));

        // A promotion planned on the first coming step raises that step's forecast.
        future[0].Promotion = 1 - future[0].Promotion;
        var changed = ForecastTestData.Outputs(model, ml.Data.LoadFromEnumerable(rows.Concat(future)));
        Assert.NotEqual(outputs[rows.Count - 1].Forecast[0], changed[rows.Count - 1].Forecast[0]);
        // A row whose next H rows end before that step does not read it.
        Assert.Equal(outputs[rows.Count - 1 - Horizon].Forecast, changed[rows.Count - 1 - Horizon].Forecast);
    }

    [Fact]
    public void SaveLoadTheEngineAndTheRowOrderAgreeWithTransform()
    {
        var ml = new MLContext(seed: 1);
        List<PromotionRow> a = Promotions("a", 120, seed: 6), b = Promotions("b", 120, seed: 7);
        foreach (PromotionRow row in b)
            row.Sales *= 10;
        IDataView consecutive = ml.Data.LoadFromEnumerable(a.Concat(b));
        var model = ml.Forecasting.ForecastByLstm(Options(covariate: true, epochs: 5)).Fit(consecutive);
        var expected = ForecastTestData.Outputs(model, consecutive);

        ITransformer loaded = LstmTestData.SaveAndLoadInNewContext(ml, model, consecutive.Schema);
        var reloaded = ForecastTestData.Outputs(loaded, consecutive);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Forecast, reloaded[i].Forecast);
            Assert.Equal(expected[i].Upper, reloaded[i].Upper);
        }

        // The same rows interleaved (a, b, a, b, …): each row reads the next H rows of its own series.
        var interleaved = ForecastTestData.Outputs(model, ml.Data.LoadFromEnumerable(a.Zip(b).SelectMany(pair => new[] { pair.First, pair.Second })));
        for (int t = 0; t < a.Count; t++)
        {
            Assert.Equal(expected[t].Forecast, interleaved[2 * t].Forecast);
            Assert.Equal(expected[a.Count + t].Forecast, interleaved[2 * t + 1].Forecast);
        }

        // The engine, given the next H steps' covariates, forecasts as Transform does on the row of the last observation.
        var engine = model.CreateForecastingEngine();
        for (int t = 0; t < 100; t++)
        {
            engine.Observe(a[t].Sales, "a", [a[t].Promotion]);
            var covariates = new float[Horizon, 1];
            for (int h = 0; h < Horizon; h++)
                covariates[h, 0] = a[t + 1 + h].Promotion;
            SeriesForecast streamed = engine.Forecast("a", covariates);
            Assert.Equal(expected[t].Forecast, streamed.Forecast);
            Assert.Equal(expected[t].Lower, streamed.LowerBound);
        }
        Assert.True(float.IsFinite(expected[99].Forecast[0]));

        var error = Assert.Throws<InvalidOperationException>(() => engine.Forecast("a"));
        Assert.Contains("Promotion", error.Message);
        var shape = Assert.Throws<ArgumentException>(() => engine.Forecast("a", new float[Horizon - 1, 1]));
        Assert.Contains($"[{Horizon}, 1]", shape.Message);
        var infinite = new float[Horizon, 1];
        infinite[2, 0] = float.NaN;
        Assert.Contains("'Promotion'", Assert.Throws<ArgumentException>(() => engine.Forecast("a", infinite)).Message);
    }

    [Fact]
    public void AWindowShorterThanTheHorizonIsRefusedWithCovariates()
    {
        var options = Options(covariate: true);
        options.WindowSize = Horizon - 1;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(seed: 1).Forecasting.ForecastByLstm(options));
        Assert.Contains("WindowSize", error.Message);
    }

    [Fact]
    public void AModelOfTheFirstFormatReadsCovariatesOnlyInsideTheWindowAndKeepsLoading()
    {
        // What main wrote before future covariates: a head of the kind "forecast" over steps of [value, missing, covariate].
        var ml = new MLContext(seed: 1);
        const int window = 8;
        var settings = new ForecastSettings
        {
            ValueColumnName = nameof(PromotionRow.Sales),
            SeriesColumnName = nameof(PromotionRow.Series),
            CovariateColumnNames = [nameof(PromotionRow.Promotion)],
            OutputColumnName = "Forecast",
            LowerBoundColumnName = "Lower",
            UpperBoundColumnName = "Upper",
            Horizon = Horizon,
            WindowSize = window,
            DefaultWindow = window,
            ConfidenceLevel = 0.8f,
            CovariateMeans = [0.25f],
            CovariateScales = [0.4f],
        };
        var spec = new NetworkSpec(
            new EncoderSpec { Input = SequenceInputKind.Features, FeaturesPerStep = 3, HiddenSize = 4 },
            new ForecastHeadSpec { Horizon = Horizon, Quantiles = settings.QuantileLevels });
        var network = new SequenceNetwork<float>(spec, seed: 2, threads: 1);
        var old = new LstmForecastingTransformer(ml, SequenceModel.FromNetwork(network), settings);
        List<PromotionRow> rows = Promotions("shop", 40, seed: 8);
        IDataView data = ml.Data.LoadFromEnumerable(rows);

        ITransformer reloaded = LstmTestData.SaveAndLoadInNewContext(ml, old, data.Schema);
        var loaded = Assert.IsType<LstmForecastingTransformer>(reloaded is TransformerChain<ITransformer> chain ? chain.Single() : reloaded);
        Assert.False(loaded.Settings.FutureCovariates);
        var before = ForecastTestData.Outputs(old, data);
        var after = ForecastTestData.Outputs(loaded, data);
        // No look-ahead: the last row is forecast from the window alone, as before.
        Assert.True(float.IsFinite(after[^1].Forecast[0]));
        for (int i = 0; i < before.Count; i++)
            Assert.Equal(before[i].Forecast, after[i].Forecast);
        var engine = loaded.CreateForecastingEngine();
        foreach (PromotionRow row in rows)
            engine.Observe(row.Sales, "shop", [row.Promotion]);
        Assert.Equal(after[^1].Forecast, engine.Forecast("shop").Forecast);
    }
}
