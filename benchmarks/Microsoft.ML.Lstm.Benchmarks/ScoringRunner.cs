using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The <c>scoring</c> mode, which <c>compare-scoring.sh</c> runs beside <c>pytorch_sentiment.py --score-seconds</c>: the
/// sentiment network at the trainer's defaults (BiLSTM of 64 over an embedding of 64, max pooling, one logit), trained
/// briefly on <c>{data}/train.tsv</c> through the README's first snippet, then the wall time per test sentence of
/// scoring all of <c>{data}/test.tsv</c> from its text: through <c>Transform</c> and a cursor reading <c>Score</c>
/// (<c>dataset_us_per_row</c>), and one sentence at a time through a <c>PredictionEngine</c> (<c>one_row_us_per_row</c>);
/// and the network alone on the batches <c>Transform</c> forms, built beforehand, on one thread (<c>model_us_per_row</c>).
/// Medians of passes over <c>--seconds</c> each (after two seconds of all the passes in turn, not timed), printed as JSON
/// lines. Options: <c>--data DIR</c>, <c>--epochs N</c> (2), <c>--seconds S</c> (3). The cores <c>Transform</c> scores on
/// are the process's (<c>DOTNET_PROCESSOR_COUNT</c> sets them); a <c>PredictionEngine</c> scores on one.
/// </summary>
internal static class ScoringRunner
{
    private sealed class ScoredReview
    {
        public float Score { get; set; }
    }

    public static void Run(string[] args)
    {
        if (!SentimentReviews.TryRead(args, out List<Review> trainRows, out List<Review> testRows))
            return;
        int epochs = ShapesRunner.IntOption(args, "--epochs", 2);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 3);
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(trainRows), test = ml.Data.LoadFromEnumerable(testRows);
        var options = new LstmBinaryTrainer.Options { FeatureColumnName = "Text", Epochs = epochs, Seed = 1 };
        ITransformer model = ml.BinaryClassification.Trainers.Lstm(options).Fit(train);
        using var engine = ml.Model.CreatePredictionEngine<Review, ScoredReview>(model);
        Review[] inputs = [.. testRows];
        var scored = new ScoredReview();
        var lstm = (SequenceBinaryClassificationTransformer)model;
        SequenceBatch<float>[] batches = MLNetPathRunner.TransformBatches(
            MLNetPathRunner.ScoringBatches(test, options.FeatureColumnName, lstm.Features));
        SequenceNetwork<float> network = lstm.Model.Network.CloneForInference();
        (string Metric, Action Pass)[] passes =
        [
            ("dataset_us_per_row", () =>
            {
                foreach (float _ in model.Transform(test).GetColumn<float>("Score"))
                {
                }
            }),
            ("one_row_us_per_row", () =>
            {
                foreach (Review input in inputs)
                    engine.Predict(input, ref scored);
            }),
            ("model_us_per_row", () => MLNetPathRunner.PredictAll(network, batches)),
        ];
        // The passes in turn for two seconds first, not timed: the runtime compiles each hot method again, optimized,
        // a while after it turns hot (and scoring runs methods training did not), so none is timed before that.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < 2)
        {
            foreach ((_, Action pass) in passes)
                pass();
        }
        var results = passes.Select(pass => (pass.Metric, Value: ShapesRunner.MedianSeconds(pass.Pass, 3, seconds) * 1e6 / inputs.Length)).ToList();
        Console.Error.WriteLine($"# Microsoft.ML.Lstm sentiment scoring: {trainRows.Count} train, {inputs.Length} test sentences, {Environment.ProcessorCount} core(s)");
        foreach ((string metric, double value) in results)
            Emit(metric, value);
    }

    private static void Emit(string metric, double value) =>
        Console.WriteLine(JsonSerializer.Serialize(new { engine = "mlnet-lstm", @case = "sentiment-scoring", metric, value }));
}
