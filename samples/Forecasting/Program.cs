// The forecasting sample: ForecastByLstm learns one network across several series and forecasts the held-out last
// horizon of each, beside the seasonal naive forecast; prints sMAPE, MASE and the 80 % interval's coverage, shows the
// streaming engine, and writes a chart of one series beside itself.
//   dotnet run --project samples/Forecasting -c Release                    generated monthly series (trend, season, noise)
//   dotnet run --project samples/Forecasting -c Release -- --data FILE     date,value or series,date,value CSV
//                                                                           (e.g. ../shared/data/forecast/all-series.csv)
using System.Diagnostics;
using Forecasting;
using Microsoft.ML;
using Microsoft.ML.Lstm;

const float Confidence = 0.8f;
const double Z80 = 1.2815515655446004; // the normal distribution's 90th percentile

SeriesData data;
try
{
    data = args switch
    {
        [] => SeriesData.Generate(),
        ["--data", string path] when File.Exists(path) => SeriesData.Read(path),
        ["--data", string path] => throw new FormatException($"{path} does not exist."),
        _ => throw new FormatException("usage: Forecasting [--data FILE]   (FILE: date,value or series,date,value CSV)"),
    };
}
catch (FormatException error)
{
    Console.Error.WriteLine(error.Message);
    return 1;
}

int horizon = data.Horizon;
Console.WriteLine($"Data: {data.Source}; holding out the last {string.Join(" or ", data.HeldOut.Distinct())} steps of each series (12 for monthly, 8 for quarterly).");
var ml = new MLContext(seed: 1);
ml.Log += (_, message) =>
{
    if (message.Source.Contains("Forecasting", StringComparison.Ordinal) && message.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info
        && !message.Message.Contains("Epoch", StringComparison.Ordinal))
        Console.WriteLine($"  {message.Message[(message.Message.IndexOf("] ", StringComparison.Ordinal) + 2)..]}");
};

var training = new List<SeriesRow>();
for (int s = 0; s < data.Names.Count; s++)
{
    float[] values = data.Values[s];
    for (int t = 0; t < values.Length - data.HeldOut[s]; t++)
        training.Add(new SeriesRow { Series = data.Names[s], Value = values[t] });
}
IDataView trainData = ml.Data.LoadFromEnumerable(training);

var estimator = ml.Forecasting.ForecastByLstm("Forecast", nameof(SeriesRow.Value), horizon, seriesColumnName: nameof(SeriesRow.Series),
    confidenceLevel: Confidence, lowerBoundColumnName: "Lower", upperBoundColumnName: "Upper");
var clock = Stopwatch.StartNew();
LstmForecastingTransformer model;
try
{
    model = estimator.Fit(trainData);
}
catch (InvalidOperationException error) // a series too short for the window and horizon, an infinite value, …
{
    Console.Error.WriteLine(error.Message);
    return 1;
}
Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");

string modelPath = Path.Combine(AppContext.BaseDirectory, "forecast-lstm.zip");
ml.Model.Save(model, trainData.Schema, modelPath);
var loaded = (LstmForecastingTransformer)ml.Model.Load(modelPath, out _);

// The forecast beyond each series' training history is on its last row.
var last = new Dictionary<string, (float[] Forecast, float[] Lower, float[] Upper)>();
using (var cursor = loaded.Transform(trainData).GetRowCursor(loaded.GetOutputSchema(trainData.Schema)))
{
    var series = cursor.GetGetter<ReadOnlyMemory<char>>(cursor.Schema["Series"]);
    var forecast = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(cursor.Schema["Forecast"]);
    var lower = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(cursor.Schema["Lower"]);
    var upper = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(cursor.Schema["Upper"]);
    ReadOnlyMemory<char> name = default;
    Microsoft.ML.Data.VBuffer<float> f = default, l = default, u = default;
    while (cursor.MoveNext())
    {
        series(ref name);
        forecast(ref f);
        lower(ref l);
        upper(ref u);
        last[name.ToString()] = (f.DenseValues().ToArray(), l.DenseValues().ToArray(), u.DenseValues().ToArray());
    }
}

Console.WriteLine();
Console.WriteLine($"{"series",-16} {"LSTM sMAPE",10} {"MASE",6} {"cover",6}   {"snaive sMAPE",12} {"MASE",6} {"cover",6}");
var lstmScores = new List<ForecastScore>();
var naiveScores = new List<ForecastScore>();
for (int s = 0; s < data.Names.Count; s++)
{
    float[] values = data.Values[s];
    int held = data.HeldOut[s], season = data.Seasons[s];
    float[] history = values[..^held], actual = values[^held..];
    var (forecast, lower, upper) = last[data.Names[s]];
    var lstm = ForecastScore.Of(history, actual, forecast[..held], lower[..held], upper[..held], season);
    var (nf, nl, nu) = ForecastScore.SeasonalNaive(history, held, season, Z80);
    var naive = ForecastScore.Of(history, actual, nf, nl, nu, season);
    lstmScores.Add(lstm);
    naiveScores.Add(naive);
    Console.WriteLine($"{data.Names[s],-16} {lstm.SymmetricMape,10:F2} {lstm.Mase,6:F2} {lstm.Coverage,6:P0}   {naive.SymmetricMape,12:F2} {naive.Mase,6:F2} {naive.Coverage,6:P0}");
}
Console.WriteLine($"{"mean",-16} {lstmScores.Average(x => x.SymmetricMape),10:F2} {lstmScores.Average(x => x.Mase),6:F2} {lstmScores.Average(x => x.Coverage),6:P0}   " +
    $"{naiveScores.Average(x => x.SymmetricMape),12:F2} {naiveScores.Average(x => x.Mase),6:F2} {naiveScores.Average(x => x.Coverage),6:P0}");

// The engine: the deployed model fed one observation at a time gives the same forecast as Transform's last row.
var engine = loaded.CreateForecastingEngine();
foreach (SeriesRow row in training.Where(r => r.Series == data.Names[0]))
    engine.Observe(row.Value, row.Series);
SeriesForecast streamed = engine.Forecast(data.Names[0]);
Console.WriteLine();
Console.WriteLine($"Engine, {data.Names[0]}: next {Math.Min(3, horizon)} values {string.Join(", ", streamed.Forecast.Take(3).Select(v => v.ToString("G5")))} " +
    $"(equal to Transform's: {streamed.Forecast.AsSpan().SequenceEqual(last[data.Names[0]].Forecast)})");

string chartPath = Path.Combine(AppContext.BaseDirectory, "forecast.png");
{
    float[] values = data.Values[0];
    int held = data.HeldOut[0];
    var (forecast, lower, upper) = last[data.Names[0]];
    ForecastChart.Write(chartPath, $"{data.Names[0]}: ForecastByLstm, {held} steps", values[..^held], values[^held..], forecast[..held], lower[..held], upper[..held], Confidence);
}
Console.WriteLine($"Chart: {chartPath}");
return 0;
