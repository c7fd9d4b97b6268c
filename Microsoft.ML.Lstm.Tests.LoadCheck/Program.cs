using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: Microsoft.ML.Lstm.Tests.LoadCheck <model.zip> <sequences.txt>
//
// Loads a binary-classification model saved by the tests into a fresh MLContext, scores the
// sequences (one per line, comma-separated floats) and prints, per sequence, the bits of Score
// and Probability and the PredictedLabel, so the test can compare them exactly. Any failure
// (an ML.NET internal that moved, a loader that is not found) ends the process with an exception.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Microsoft.ML.Lstm.Tests.LoadCheck <model.zip> <sequences.txt>");
    return 2;
}

var mlContext = new MLContext(seed: 1);
var model = mlContext.Model.Load(args[0], out _);
var sequences = File.ReadAllLines(args[1])
    .Where(line => line.Length > 0)
    .Select(line => new SequenceRow { Features = line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray() })
    .ToList();

var scored = model.Transform(mlContext.Data.LoadFromEnumerable(sequences));
foreach (var prediction in mlContext.Data.CreateEnumerable<BinaryPrediction>(scored, reuseRowObject: false))
{
    Console.WriteLine(string.Join(' ',
        BitConverter.SingleToInt32Bits(prediction.Score).ToString("x8", CultureInfo.InvariantCulture),
        BitConverter.SingleToInt32Bits(prediction.Probability).ToString("x8", CultureInfo.InvariantCulture),
        prediction.PredictedLabel ? "true" : "false"));
}
string loaded = model is TransformerChain<ITransformer> chain ? chain.LastTransformer.GetType().FullName! : model.GetType().FullName!;
Console.Error.WriteLine($"loaded {loaded}");
return 0;

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
