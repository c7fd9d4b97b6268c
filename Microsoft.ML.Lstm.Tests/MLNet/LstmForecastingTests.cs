using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using static Microsoft.ML.Lstm.Tests.MLNet.ForecastTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>ForecastByLstm end to end: windows and scaling, known signals, missing values, many series, intervals, save/load, the engine, bad input.</summary>
public class LstmForecastingTests
{
    private static LstmForecastingEstimator.Options Options(int horizon = 12) => new()
    {
        OutputColumnName = "Forecast",
        InputColumnName = nameof(ForecastRow.Value),
        SeriesColumnName = nameof(ForecastRow.Series),
        LowerBoundColumnName = "Lower",
        UpperBoundColumnName = "Upper",
        Horizon = horizon,
        HiddenSize = 16,
        Epochs = 60,
        Seed = 1,
        NumberOfThreads = 2,
    };

    [Fact]
    public void WindowScalingRoundTripsAndFlagsMissingValues()
    {
        float[] values = [100, 110, float.NaN, 130, 90, 95, 105, 120];
        var features = new float[values.Length * 2];
        var baseline = new float[3];
        Assert.True(SeriesWindow.Build(values, [], [], season: 4, ForecastBaseline.SeasonalNaive, [], [], features, baseline, out double level, out double scale));
        Assert.Equal((90 + 95 + 105 + 120) / 4.0, level, 6);
        for (int t = 0; t < values.Length; t++)
        {
            float expected = float.IsNaN(values[t]) ? 110 : values[t]; // imputed with the last observed value
            Assert.Equal(expected, level + scale * features[2 * t], 3);
            Assert.Equal(float.IsNaN(values[t]) ? 1f : 0f, features[2 * t + 1]);
        }
        // The baseline is the value one season earlier: steps 8, 9, 10 repeat steps 4, 5, 6 (90, 95, 105).
        Assert.Equal([90f, 95f, 105f], baseline.Select(b => (float)Math.Round(level + scale * b, 3)).ToArray());
        Assert.False(SeriesWindow.Build([float.NaN, float.NaN], [], [], 1, ForecastBaseline.None, [], [], new float[4], new float[1], out _, out _));
    }

    [Fact]
    public void SeasonDetectorFindsTheCycle()
    {
        Assert.Equal(12, SeasonDetector.Detect(Seasonal(144, 100, 1, seed: 1)));
        float[] quarterly = Enumerable.Range(0, 80).Select(t => (float)(50 + t + 10 * (t % 4 == 0 ? 1 : 0) - 5 * (t % 4 == 2 ? 1 : 0))).ToArray();
        Assert.Equal(4, SeasonDetector.Detect(quarterly));
        var random = new Random(3);
        Assert.Equal(1, SeasonDetector.Detect(Enumerable.Range(0, 100).Select(_ => (float)random.NextDouble()).ToArray()));
    }

    [Fact]
    public void KnownSeasonalSignalIsForecastWithinATightError()
    {
        var ml = new MLContext(seed: 1);
        float[] values = Seasonal(192, 500, noise: 0, seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows("a", values[..180]));
        var model = ml.Forecasting.ForecastByLstm(Options()).Fit(data);
        float[] forecast = ForecastTestData.Outputs(model, data)[^1].Forecast;
        double smape = SymmetricMape(values[180..], forecast);
        Assert.True(smape < 1.5, $"sMAPE {smape:F2} %");
        Assert.Equal(12, model.Seasons["a"]);
    }

    [Fact]
    public void ManySeriesOfDifferentMagnitudesShareOneModel()
    {
        var ml = new MLContext(seed: 1);
        double[] levels = [3, 400, 60_000];
        var rows = new List<ForecastRow>();
        var held = new List<float[]>();
        for (int s = 0; s < levels.Length; s++)
        {
            float[] values = Seasonal(156, levels[s], noise: levels[s] * 0.01, seed: s, phase: s);
            rows.AddRange(Rows($"s{s}", values[..144]));
            held.Add(values[144..]);
        }
        // Interleaved in time, as rows of many series usually come.
        rows = rows.Select((row, i) => (row, i)).OrderBy(p => p.i % 144).ThenBy(p => p.i / 144).Select(p => p.row).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Forecasting.ForecastByLstm(Options()).Fit(data);
        var outputs = ForecastTestData.Outputs(model, data);
        for (int s = 0; s < levels.Length; s++)
        {
            float[] forecast = outputs.Last(o => o.Series == $"s{s}").Forecast;
            double smape = SymmetricMape(held[s], forecast);
            Assert.True(smape < 4, $"series s{s} (level {levels[s]}): sMAPE {smape:F2} %");
        }
    }

    [Fact]
    public void MissingValuesAreAcceptedAndRowsWithoutAWindowGetNaN()
    {
        var ml = new MLContext(seed: 1);
        float[] values = Seasonal(180, 200, noise: 2, seed: 4);
        var random = new Random(9);
        for (int t = 0; t < values.Length; t++)
        {
            if (random.NextDouble() < 0.1)
                values[t] = float.NaN;
        }
        values[^1] = float.NaN; // the last observation itself missing
        var data = ml.Data.LoadFromEnumerable(Rows("a", values));
        var model = ml.Forecasting.ForecastByLstm(Options()).Fit(data);
        var outputs = ForecastTestData.Outputs(model, data);
        Assert.All(outputs.Take(model.WindowSize - 1), o => Assert.All(o.Forecast, v => Assert.True(float.IsNaN(v))));
        Assert.All(outputs.Skip(model.WindowSize - 1), o => Assert.All(o.Forecast, v => Assert.True(float.IsFinite(v))));
        float[] clean = Seasonal(192, 200, noise: 0, seed: 4)[180..];
        double smape = SymmetricMape(clean, outputs[^1].Forecast);
        Assert.True(smape < 5, $"sMAPE {smape:F2} %");
    }

    [Fact]
    public void EightyPercentIntervalsCoverAboutEightyPercentOfNoiseOfKnownVariance()
    {
        var ml = new MLContext(seed: 1);
        var rows = new List<ForecastRow>();
        var full = new List<float[]>();
        for (int s = 0; s < 4; s++)
        {
            float[] values = Seasonal(360, 100, noise: 5, seed: 20 + s, trend: 0, phase: s);
            full.Add(values);
            rows.AddRange(Rows($"s{s}", values[..240]));
        }
        var model = ml.Forecasting.ForecastByLstm(Options(horizon: 6)).Fit(ml.Data.LoadFromEnumerable(rows));
        var later = ml.Data.LoadFromEnumerable(full.SelectMany((v, s) => Rows($"s{s}", v)));
        var outputs = ForecastTestData.Outputs(model, later);
        int covered = 0, total = 0;
        double width = 0;
        for (int s = 0; s < 4; s++)
        {
            var own = outputs.Where(o => o.Series == $"s{s}").ToList();
            for (int origin = 240; origin < 360 - 6; origin++)
            {
                for (int h = 0; h < 6; h++)
                {
                    float y = full[s][origin + 1 + h];
                    covered += y >= own[origin].Lower[h] && y <= own[origin].Upper[h] ? 1 : 0;
                    width += own[origin].Upper[h] - own[origin].Lower[h];
                    total++;
                }
            }
        }
        double coverage = (double)covered / total;
        Assert.InRange(coverage, 0.72, 0.88);
        // The noise's own 80 % interval is ±1.28·5 = 12.8 wide; a calibrated forecaster is not much wider.
        Assert.InRange(width / total, 10, 20);
    }

    [Fact]
    public void SavedModelLoadsAndForecastsBitForBit()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows("a", Seasonal(120, 50, noise: 1, seed: 2)));
        var options = Options();
        options.Epochs = 5;
        var model = ml.Forecasting.ForecastByLstm(options).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"forecast-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var before = ForecastTestData.Outputs(model, data);
            var after = ForecastTestData.Outputs(loaded, data);
            Assert.Equal(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i].Forecast, after[i].Forecast);
                Assert.Equal(before[i].Lower, after[i].Lower);
                Assert.Equal(before[i].Upper, after[i].Upper);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameForecasts()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows("a", Seasonal(120, 50, noise: 1, seed: 2)));
        var options = Options();
        options.Epochs = 5;
        var first = ForecastTestData.Outputs(ml.Forecasting.ForecastByLstm(options).Fit(data), data);
        var second = ForecastTestData.Outputs(ml.Forecasting.ForecastByLstm(options).Fit(data), data);
        Assert.Equal(first[^1].Forecast, second[^1].Forecast);
        Assert.Equal(first[^1].Upper, second[^1].Upper);
    }

    [Fact]
    public void EngineEqualsTransformOverTheLongerHistoryAndContinuesAfterACheckPoint()
    {
        var ml = new MLContext(seed: 1);
        float[] a = Seasonal(130, 50, noise: 1, seed: 2), b = Seasonal(130, 900, noise: 10, seed: 3, phase: 1);
        var options = Options();
        options.Epochs = 5;
        var model = ml.Forecasting.ForecastByLstm(options).Fit(ml.Data.LoadFromEnumerable(Rows("a", a[..100]).Concat(Rows("b", b[..100]))));

        var engine = model.CreateForecastingEngine();
        for (int t = 0; t < 110; t++)
        {
            engine.Observe(a[t], "a");
            engine.Observe(b[t], "b");
        }
        using var state = new MemoryStream();
        engine.CheckPoint(state);
        var resumed = model.CreateForecastingEngine(new MemoryStream(state.ToArray()));
        for (int t = 110; t < 130; t++)
        {
            engine.Observe(a[t], "a");
            engine.Observe(b[t], "b");
            resumed.Observe(a[t], "a");
            resumed.Observe(b[t], "b");
        }
        var transformed = ForecastTestData.Outputs(model, ml.Data.LoadFromEnumerable(Rows("a", a).Concat(Rows("b", b))));
        foreach (string series in new[] { "a", "b" })
        {
            var expected = transformed.Last(o => o.Series == series);
            SeriesForecast streamed = engine.Forecast(series), continued = resumed.Forecast(series);
            Assert.Equal(expected.Forecast, streamed.Forecast);
            Assert.Equal(expected.Lower, streamed.LowerBound);
            Assert.Equal(expected.Upper, streamed.UpperBound);
            Assert.Equal(streamed.Forecast, continued.Forecast);
            Assert.Equal(streamed.UpperBound, continued.UpperBound);
        }
        Assert.All(engine.Forecast("unseen").Forecast, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void CovariatesAreReadBesideTheValue()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows("a", Seasonal(150, 50, noise: 1, seed: 2)));
        var options = Options();
        options.Epochs = 5;
        options.CovariateColumnNames = [nameof(ForecastRow.Month)];
        var model = ml.Forecasting.ForecastByLstm(options).Fit(data);
        var outputs = ForecastTestData.Outputs(model, data);
        // Each forecast reads the covariates of the next 12 rows: the last row with 12 rows after it is forecast, the later ones are not.
        Assert.True(float.IsFinite(outputs[^13].Forecast[0]));
        Assert.All(outputs[^12..], o => Assert.True(float.IsNaN(o.Forecast[0])));
        var engine = model.CreateForecastingEngine();
        Assert.Throws<ArgumentException>(() => engine.Observe(1f, "a"));
    }

    [Fact]
    public void TooShortASeriesIsRefusedByName()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows("long", Seasonal(120, 50, 1, seed: 1)).Concat(Rows("tiny", Seasonal(20, 50, 1, seed: 2)));
        var options = Options();
        options.WindowSize = 24;
        var error = Assert.Throws<InvalidOperationException>(() => ml.Forecasting.ForecastByLstm(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("'tiny'", error.Message);
        Assert.Contains("36", error.Message);
    }

    [Fact]
    public void BadInputIsRefusedNamingTheColumnAndRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows("a", Seasonal(120, 50, 1, seed: 1));
        rows[57].Value = float.PositiveInfinity;
        var infinite = Assert.Throws<InvalidOperationException>(() => ml.Forecasting.ForecastByLstm(Options()).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("'Value'", infinite.Message);
        Assert.Contains("row 57", infinite.Message);

        var data = ml.Data.LoadFromEnumerable(Rows("a", Seasonal(120, 50, 1, seed: 1)));
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm("Forecast", "Sales", 12).Fit(data));
        Assert.Contains("'Sales'", missing.Message);
        var wrongType = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm("Forecast", "Series", 12).Fit(data));
        Assert.Contains("'Series'", wrongType.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm("Forecast", "Value", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm("Forecast", "Value", 12, confidenceLevel: 1.5f));

        var allMissing = Rows("a", Seasonal(120, 50, 1, seed: 1)).Concat(Rows("gap", Enumerable.Repeat(float.NaN, 60).ToArray()));
        var empty = Assert.Throws<InvalidOperationException>(() => ml.Forecasting.ForecastByLstm(Options()).Fit(ml.Data.LoadFromEnumerable(allMissing)));
        Assert.Contains("'gap'", empty.Message);
    }

    [Fact]
    public void ShortOverloadReadsOneSeriesAndPromisesItsColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows("a", Seasonal(100, 50, 1, seed: 1)));
        var estimator = ml.Forecasting.ForecastByLstm("Forecast", "Value", horizon: 6, lowerBoundColumnName: "Lo", upperBoundColumnName: "Hi");
        // Planning a pipeline over data without the value column fails naming it.
        var planning = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(new SchemaShape([])));
        Assert.Contains("'Value'", planning.Message);
        var model = estimator.Fit(data);
        DataViewSchema schema = model.GetOutputSchema(data.Schema);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 6), schema["Forecast"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 6), schema["Hi"].Type);
        Assert.False(model.IsRowToRowMapper);
    }
    [Fact]
    public void KeySeriesColumnIsReadThroughItsKeyValues()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows("north", Seasonal(100, 50, 1, seed: 1)).Concat(Rows("south", Seasonal(100, 80, 1, seed: 2)));
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Options();
        options.SeriesColumnName = "SeriesKey";
        options.Epochs = 3;
        // In a pipeline after the transform that makes the key, saved and loaded as one model.
        var pipeline = ml.Transforms.Conversion.MapValueToKey("SeriesKey", nameof(ForecastRow.Series)).Append(ml.Forecasting.ForecastByLstm(options));
        var chain = pipeline.Fit(data);
        LstmForecastingTransformer model = chain.LastTransformer;
        Assert.Equal(["north", "south"], model.Seasons.Keys.Order());
        var engine = model.CreateForecastingEngine();
        foreach (float value in Seasonal(100, 80, 1, seed: 2))
            engine.Observe(value, "south");
        Assert.Equal(ForecastTestData.Outputs(chain, data).Last(o => o.Series == "south").Forecast, engine.Forecast("south").Forecast);
        using var saved = new MemoryStream();
        ml.Model.Save(chain, data.Schema, saved);
        var loaded = new MLContext().Model.Load(new MemoryStream(saved.ToArray()), out _);
        Assert.Equal(ForecastTestData.Outputs(chain, data)[^1].Upper, ForecastTestData.Outputs(loaded, data)[^1].Upper);
    }

    [Fact]
    public void DamagedEngineStateIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var options = Options();
        options.Epochs = 2;
        var model = ml.Forecasting.ForecastByLstm(options).Fit(ml.Data.LoadFromEnumerable(Rows("a", Seasonal(100, 50, 1, seed: 1))));
        var engine = model.CreateForecastingEngine();
        engine.Observe(3f, "a");
        using var state = new MemoryStream();
        engine.CheckPoint(state);
        byte[] bytes = state.ToArray();
        bytes[bytes.Length / 2] ^= 0x40;
        Assert.Throws<InvalidDataException>(() => model.CreateForecastingEngine(new MemoryStream(bytes)));
        Assert.Throws<InvalidDataException>(() => model.CreateForecastingEngine(new MemoryStream(state.ToArray()[..^3])));
    }
    [Fact]
    public void SeriesOfDifferentSeasonsReadWindowsOfTheirOwnLength()
    {
        var ml = new MLContext(seed: 1);
        float[] quarterly = Enumerable.Range(0, 100).Select(t => (float)(50 + 0.5 * t + 8 * Math.Sin(2 * Math.PI * t / 4))).ToArray();
        var rows = Rows("monthly", Seasonal(150, 50, 0.5, seed: 1)).Concat(Rows("quarterly", quarterly));
        var options = Options(horizon: 6);
        options.Epochs = 3;
        var model = ml.Forecasting.ForecastByLstm(options).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.Equal(12, model.Seasons["monthly"]);
        Assert.Equal(4, model.Seasons["quarterly"]);
        Assert.Equal(24, model.WindowSizes["monthly"]);
        Assert.Equal(8, model.WindowSizes["quarterly"]);
        var outputs = ForecastTestData.Outputs(model, ml.Data.LoadFromEnumerable(rows));
        var quarterlyRows = outputs.Where(o => o.Series == "quarterly").ToList();
        Assert.True(float.IsNaN(quarterlyRows[6].Forecast[0]));
        Assert.True(float.IsFinite(quarterlyRows[7].Forecast[0])); // the eighth step completes its window
    }
    [Fact]
    public void ForecastsFollowALevelShift()
    {
        // The level triples at step 150; each window is scaled by its own level, so the forecast after the shift is in the new units.
        var ml = new MLContext(seed: 1);
        float[] values = Seasonal(204, 100, noise: 1, seed: 6, trend: 0);
        for (int t = 150; t < values.Length; t++)
            values[t] = 3 * values[t];
        var data = ml.Data.LoadFromEnumerable(Rows("a", values[..192]));
        var model = ml.Forecasting.ForecastByLstm(Options()).Fit(data);
        double smape = SymmetricMape(values[192..], ForecastTestData.Outputs(model, data)[^1].Forecast);
        Assert.True(smape < 5, $"sMAPE {smape:F2} %");
    }
}
