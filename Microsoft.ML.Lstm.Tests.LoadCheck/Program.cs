using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: Microsoft.ML.Lstm.Tests.LoadCheck <model.zip> <sequences.txt> [tagging|forecast]
//
// Loads a model saved by the tests into a fresh MLContext, scores the rows of the second file and
// prints each prediction's bits, so the test can compare them exactly. A binary-classification
// model reads one sequence per line (comma-separated floats) and prints the bits of Score and
// Probability and the PredictedLabel. With "tagging", a tagging pipeline reads one sentence per
// line (tokens separated by spaces, into a string[] column "Tokens") and prints the PredictedLabel
// keys and the bits of each token's Score. With "forecast", a forecasting model reads one observation per line
// (series,value into columns "Series" and "Value") and prints the bits of each row's Forecast vector. Any failure (an ML.NET internal that moved, a loader
// that is not found) ends the process with an exception.
if (args.Length is not (2 or 3) || (args.Length == 3 && args[2] is not ("tagging" or "forecast")))
{
    Console.Error.WriteLine("usage: Microsoft.ML.Lstm.Tests.LoadCheck <model.zip> <sequences.txt> [tagging|forecast]");
    return 2;
}

var mlContext = new MLContext(seed: 1);
var model = mlContext.Model.Load(args[0], out _);
var lines = File.ReadAllLines(args[1]).Where(line => line.Length > 0).ToList();
if (args.Length == 3 && args[2] == "forecast")
{
    var observations = lines.Select(line => line.Split(','))
        .Select(fields => new ObservationRow { Series = fields[0], Value = float.Parse(fields[1], CultureInfo.InvariantCulture) })
        .ToList();
    var forecasts = model.Transform(mlContext.Data.LoadFromEnumerable(observations));
    foreach (float[] forecast in forecasts.GetColumn<float[]>("Forecast"))
        Console.WriteLine(string.Join(',', forecast.Select(Bits)));
}
else if (args.Length == 3)
{
    var sentences = lines.Select(line => new SentenceRow { Tokens = line.Split(' ') }).ToList();
    var tagged = model.Transform(mlContext.Data.LoadFromEnumerable(sentences));
    foreach (var prediction in mlContext.Data.CreateEnumerable<TaggingPrediction>(tagged, reuseRowObject: false))
    {
        Console.WriteLine(string.Join(',', prediction.PredictedLabel.Select(key => key.ToString(CultureInfo.InvariantCulture))) + " " +
            string.Join(',', prediction.Score.Select(score => Bits(score))));
    }
}
else
{
    var sequences = lines
        .Select(line => new SequenceRow { Features = line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray() })
        .ToList();
    var scored = model.Transform(mlContext.Data.LoadFromEnumerable(sequences));
    foreach (var prediction in mlContext.Data.CreateEnumerable<BinaryPrediction>(scored, reuseRowObject: false))
        Console.WriteLine(string.Join(' ', Bits(prediction.Score), Bits(prediction.Probability), prediction.PredictedLabel ? "true" : "false"));
}
string loaded = model is TransformerChain<ITransformer> chain ? chain.LastTransformer.GetType().FullName! : model.GetType().FullName!;
Console.Error.WriteLine($"loaded {loaded}");
return 0;

static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture);

internal sealed class SequenceRow
{
    [VectorType]
    public float[] Features { get; set; } = [];
}

internal sealed class BinaryPrediction
{
    public float Score { get; set; }
    public float Probability { get; set; }
    public bool PredictedLabel { get; set; }
}

internal sealed class SentenceRow
{
    public string[] Tokens { get; set; } = [];
}

internal sealed class TaggingPrediction
{
    public uint[] PredictedLabel { get; set; } = [];
    public float[] Score { get; set; } = [];
}

internal sealed class ObservationRow
{
    public string Series { get; set; } = "";
    public float Value { get; set; }
}
