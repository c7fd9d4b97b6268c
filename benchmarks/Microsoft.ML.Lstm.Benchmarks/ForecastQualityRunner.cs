using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// `forecast-quality`: ForecastByLstm on the classic R series (../shared/data/forecast/all-series.csv: monthly series
/// hold out their last 12 points, quarterly their last 8), one model across all series (the default) or one per series,
/// and the seasonal naive forecast on the same split. Prints one CSV line per series and method:
/// <c>series,method,smape,mase,coverage80,seconds</c> (seconds: training time, a shared model's divided among its series),
/// which compare-forecast.sh joins with R's. Options override the estimator's defaults for experiments:
/// --per-series, --hidden N, --epochs N, --window N, --seed N, --threads N, --cell Lstm|Gru, --baseline None|SeasonalNaive,
/// --no-skip, --no-refit, --no-calibration, --ensemble N; --weights BFloat16|Int8 forecasts with the trained model's
/// recurrent weights compressed (issue #15; the same training, so the lines compare with a float32 run's).
/// </summary>
internal static class ForecastQualityRunner
{
    private sealed class Row
    {
        public string Series { get; set; } = "";
        public float Value { get; set; }
    }

    public static void Run(string[] args)
    {
        string path = Value(args, "--data") ?? "../shared/data/forecast/all-series.csv";
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"Skipped: {path} is not here (the shared data set is absent).");
            return;
        }
        var (names, values, seasons, held) = Read(path);
        bool perSeries = args.Contains("--per-series");
        int ensemble = int.Parse(Value(args, "--ensemble") ?? "1", CultureInfo.InvariantCulture);
        var groups = perSeries ? names.Select(n => new[] { n }).ToList() : [names.ToArray()];
        foreach (string[] group in groups)
        {
            int horizon = group.Max(n => held[n]);
            var rows = group.SelectMany(n => values[n][..^held[n]].Select(v => new Row { Series = n, Value = v })).ToList();
            int seed = int.Parse(Value(args, "--seed") ?? "1", CultureInfo.InvariantCulture);
            var ml = new MLContext(seed: seed);
            IDataView data = ml.Data.LoadFromEnumerable(rows);
            var clock = Stopwatch.StartNew();
            var forecasts = new List<Dictionary<string, (float[] F, float[] L, float[] U)>>();
            for (int member = 0; member < ensemble; member++)
            {
                // Without experiment options: the short overload and its defaults, seeded by the MLContext.
                var model = Experimenting(args) || member > 0
                    ? ml.Forecasting.ForecastByLstm(Options(args, horizon, member)).Fit(data)
                    : ml.Forecasting.ForecastByLstm("Forecast", "Value", horizon, seriesColumnName: "Series",
                        lowerBoundColumnName: "Lower", upperBoundColumnName: "Upper").Fit(data);
                string? weights = Value(args, "--weights");
                if (weights is not null)
                    model = model.WithWeightPrecision(Enum.Parse<WeightPrecision>(weights));
                forecasts.Add(LastRows(model.Transform(data)));
            }
            double seconds = clock.Elapsed.TotalSeconds / group.Length;
            foreach (string name in group)
            {
                int h = held[name];
                float[] history = values[name][..^h], actual = values[name][^h..];
                float[] Median(Func<(float[] F, float[] L, float[] U), float[]> part) =>
                    Enumerable.Range(0, h).Select(i => forecasts.Select(f => part(f[name])[i]).OrderBy(v => v).ElementAt(forecasts.Count / 2)).ToArray();
                Print(name, "lstm", history, actual, Median(f => f.F), Median(f => f.L), Median(f => f.U), seasons[name], seconds);
                var clockNaive = Stopwatch.StartNew();
                var (nf, nl, nu) = SeasonalNaive(history, h, seasons[name], 1.2815515655446004);
                Print(name, "snaive", history, actual, nf, nl, nu, seasons[name], clockNaive.Elapsed.TotalSeconds);
            }
        }
    }

    private static readonly string[] ExperimentOptions =
        ["--hidden", "--epochs", "--window", "--threads", "--cell", "--baseline", "--dropout", "--lr", "--no-skip", "--no-refit", "--no-calibration"];

    private static bool Experimenting(string[] args) => args.Any(ExperimentOptions.Contains);

    private static LstmForecastingEstimator.Options Options(string[] args, int horizon, int member)
    {
        var o = new LstmForecastingEstimator.Options
        {
            OutputColumnName = "Forecast", InputColumnName = "Value", SeriesColumnName = "Series", Horizon = horizon,
            LowerBoundColumnName = "Lower", UpperBoundColumnName = "Upper",
        };
        if (Value(args, "--hidden") is string hidden) o.HiddenSize = int.Parse(hidden, CultureInfo.InvariantCulture);
        if (Value(args, "--epochs") is string epochs) o.Epochs = int.Parse(epochs, CultureInfo.InvariantCulture);
        if (Value(args, "--window") is string window) o.WindowSize = int.Parse(window, CultureInfo.InvariantCulture);
        if (Value(args, "--threads") is string threads) o.NumberOfThreads = int.Parse(threads, CultureInfo.InvariantCulture);
        if (Value(args, "--cell") is string cell) o.CellType = Enum.Parse<RecurrentCellType>(cell);
        if (Value(args, "--baseline") is string baseline) o.Baseline = Enum.Parse<ForecastBaseline>(baseline);
        if (Value(args, "--dropout") is string dropout) o.Dropout = double.Parse(dropout, CultureInfo.InvariantCulture);
        if (Value(args, "--lr") is string lr) o.LearningRate = double.Parse(lr, CultureInfo.InvariantCulture);
        o.Seed = int.Parse(Value(args, "--seed") ?? "1", CultureInfo.InvariantCulture) + 1000 * member;
        o.InputSkip = !args.Contains("--no-skip");
        o.RefitOnAllData = !args.Contains("--no-refit");
        o.CalibrateIntervals = !args.Contains("--no-calibration");
        return o;
    }

    private static Dictionary<string, (float[], float[], float[])> LastRows(IDataView scored)
    {
        var last = new Dictionary<string, (float[], float[], float[])>();
        using DataViewRowCursor cursor = scored.GetRowCursor(scored.Schema);
        var series = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["Series"]);
        var f = cursor.GetGetter<VBuffer<float>>(scored.Schema["Forecast"]);
        var l = cursor.GetGetter<VBuffer<float>>(scored.Schema["Lower"]);
        var u = cursor.GetGetter<VBuffer<float>>(scored.Schema["Upper"]);
        ReadOnlyMemory<char> name = default;
        VBuffer<float> fv = default, lv = default, uv = default;
        while (cursor.MoveNext())
        {
            series(ref name);
            f(ref fv);
            l(ref lv);
            u(ref uv);
            last[name.ToString()] = (fv.DenseValues().ToArray(), lv.DenseValues().ToArray(), uv.DenseValues().ToArray());
        }
        return last;
    }

    private static void Print(string name, string method, float[] history, float[] actual, float[] forecast, float[] lower, float[] upper, int season, double seconds)
    {
        double smape = 0, absolute = 0, covered = 0;
        for (int h = 0; h < actual.Length; h++)
        {
            double error = Math.Abs(actual[h] - forecast[h]);
            smape += 200 * error / (Math.Abs(actual[h]) + Math.Abs(forecast[h]));
            absolute += error;
            covered += actual[h] >= lower[h] && actual[h] <= upper[h] ? 1 : 0;
        }
        double naive = 0;
        for (int t = season; t < history.Length; t++)
            naive += Math.Abs(history[t] - history[t - season]);
        naive /= history.Length - season;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name},{method},{smape / actual.Length:F4},{absolute / actual.Length / naive:F4},{covered / actual.Length:F4},{seconds:F3}"));
    }

    /// <summary>R's snaive: the value one season before, ± z·σ·√(⌊(h − 1)/m⌋ + 1), σ the root mean square of the seasonal differences.</summary>
    private static (float[], float[], float[]) SeasonalNaive(float[] history, int horizon, int m, double z)
    {
        double sum = 0;
        for (int t = m; t < history.Length; t++)
            sum += Math.Pow(history[t] - history[t - m], 2);
        double sigma = Math.Sqrt(sum / (history.Length - m));
        var f = new float[horizon];
        var l = new float[horizon];
        var u = new float[horizon];
        for (int h = 1; h <= horizon; h++)
        {
            f[h - 1] = history[history.Length - 1 + h - m * ((h + m - 1) / m)];
            double width = z * sigma * Math.Sqrt((h - 1) / m + 1);
            l[h - 1] = (float)(f[h - 1] - width);
            u[h - 1] = (float)(f[h - 1] + width);
        }
        return (f, l, u);
    }

    /// <summary>series,date,value rows; each series' season and held-out steps from its dates (monthly 12/12, quarterly 4/8).</summary>
    private static (List<string>, Dictionary<string, float[]>, Dictionary<string, int>, Dictionary<string, int>) Read(string path)
    {
        var names = new List<string>();
        var rows = new Dictionary<string, List<(DateTime, float)>>();
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] f = line.Split(',');
            if (f.Length < 2)
                continue;
            string name = f.Length == 3 ? f[0] : Path.GetFileNameWithoutExtension(path);
            if (!rows.TryGetValue(name, out var list))
            {
                rows[name] = list = [];
                names.Add(name);
            }
            list.Add((DateTime.Parse(f[^2], CultureInfo.InvariantCulture), float.Parse(f[^1], CultureInfo.InvariantCulture)));
        }
        var values = names.ToDictionary(n => n, n => rows[n].Select(r => r.Item2).ToArray());
        var seasons = new Dictionary<string, int>();
        var held = new Dictionary<string, int>();
        foreach (string n in names)
        {
            var list = rows[n];
            int months = (list[1].Item1.Year - list[0].Item1.Year) * 12 + list[1].Item1.Month - list[0].Item1.Month;
            seasons[n] = months == 3 ? 4 : 12;
            held[n] = months == 3 ? 8 : 12;
        }
        return (names, values, seasons, held);
    }

    private static string? Value(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
