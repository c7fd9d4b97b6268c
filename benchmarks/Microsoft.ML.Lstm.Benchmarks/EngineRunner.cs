using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `engine` mode (issue #12, item 6): the latency of <c>PredictionEngine.Predict</c> on a trained binary classifier
/// (LSTM, hidden 64, over 20 steps of 8 floats), median over many calls: what a check for an engine shared between
/// threads would have to be measured against.
/// </summary>
internal static class EngineRunner
{
    private const int FeaturesPerStep = 8, Steps = 20;

    public static void Run(string[] args)
    {
        int repeats = ShapesRunner.IntOption(args, "--repeats", 20_000);
        var mlContext = new MLContext(seed: 1);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 64).Select(_ => NewRow(random)).ToArray();
        var options = new LstmBinaryTrainer.Options
        {
            FeatureColumnName = "Features", FeaturesPerStep = FeaturesPerStep, HiddenSize = 64, Bidirectional = false,
            Epochs = 1, ValidationFraction = 0, NumberOfThreads = 1,
        };
        var model = mlContext.BinaryClassification.Trainers.Lstm(options).Fit(mlContext.Data.LoadFromEnumerable(rows));
        using var engine = mlContext.Model.CreatePredictionEngine<Row, Prediction>(model);
        Row input = rows[0];
        double seconds = ShapesRunner.MedianSeconds(() => engine.Predict(input), repeats, 3);
        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}, PredictionEngine.Predict, LSTM hidden 64, {Steps} steps of {FeaturesPerStep} floats, median of ≥{repeats} calls");
        Console.WriteLine($"predict_us {seconds * 1e6:F2}");
    }

    private static Row NewRow(Random random) => new()
    {
        Features = [.. Enumerable.Range(0, FeaturesPerStep * Steps).Select(_ => (float)random.NextDouble())],
        Label = random.Next(2) == 0,
    };

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }
}
