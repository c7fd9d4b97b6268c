using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `compressed` mode (issue #15, item 4): float32 beside bfloat16 and int8 weights (<see cref="WeightPrecision"/>),
/// measured side by side in one run, each round timing every precision in turn.
/// <list type="bullet">
/// <item><c>--part latency</c>: the one-row latency case of compare.sh (input and hidden 128, 50 steps, batch 1, an LSTM
/// with random weights, <see cref="SingleSequenceLatency"/>) on the one-row scoring path at each thread count of
/// <c>--latency-threads</c> (1,2 by default), and how far each compressed output is from float32's.</item>
/// <item><c>--part sentiment</c>: the README's sentiment classifier (the trainer on the text column, defaults) trained on
/// the UCI sentences (<c>--data</c>, default ../shared/data/sentiment), then each precision's saved size, test accuracy
/// and AUC, agreement with float32's labels, and its <c>PredictionEngine</c> time per test sentence.</item>
/// </list>
/// Options: <c>--part latency,sentiment</c> (both by default), <c>--rounds 5</c>, <c>--seconds 0.5</c> per timing,
/// <c>--threads 2</c> for training, <c>--seed 1</c>. Without the data set the sentiment part prints one line saying it skipped.
/// </summary>
internal static class CompressionRunner
{
    private static readonly WeightPrecision[] Precisions = [WeightPrecision.Float32, WeightPrecision.BFloat16, WeightPrecision.Int8];

    public static void Run(string[] args)
    {
        string[] parts = ShapesRunner.StringOption(args, "--part", "latency,sentiment").Split(',');
        int rounds = ShapesRunner.IntOption(args, "--rounds", 5);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 0.5);
        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}, compressed kernels at {CompressedGemm.BestKernel} width, float GEMM {Gemm.BestKernel}, {Environment.ProcessorCount} processors");
        if (parts.Contains("products"))
            Products(rounds, seconds);
        if (parts.Contains("latency"))
            Latency(args, rounds, seconds);
        if (parts.Contains("sentiment"))
            Sentiment(args, rounds, seconds);
    }

    /// <summary>The products of the latency case alone: h·W_hhᵀ (1 × 128 · 128 × 512) and the input projection (50 rows).</summary>
    private static void Products(int rounds, double seconds)
    {
        var random = new Random(3);
        float[] weights = [.. Enumerable.Range(0, 512 * 128).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] a = [.. Enumerable.Range(0, 50 * 128).Select(_ => (float)(random.NextDouble() - 0.5))];
        var c = new float[50 * 512];
        PackedMatrix packed = Gemm.Pack(true, 128, 512, weights, 128);
        CompressedPackedMatrix bfloat16 = CompressedGemm.Pack(QuantizedMatrix.Quantize(WeightFormat.BFloat16, weights, 512, 128));
        CompressedPackedMatrix int8 = CompressedGemm.Pack(QuantizedMatrix.Quantize(WeightFormat.Int8, weights, 512, 128));
        Console.WriteLine();
        Console.WriteLine("## The latency case's products alone, median ns per product");
        Console.WriteLine("| rows | float32 | bfloat16 | int8 |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (int rows in new[] { 1, 50 })
        {
            var times = new List<double>[3] { [], [], [] };
            for (int round = 0; round < rounds; round++)
            {
                times[0].Add(ShapesRunner.MedianSeconds(() => Gemm.Multiply(false, rows, 1f, a, 128, packed, 1f, c, 512), 1000, seconds / 4) * 1e9);
                times[1].Add(ShapesRunner.MedianSeconds(() => CompressedGemm.Multiply(rows, 1f, a, 128, bfloat16, 1f, c, 512), 1000, seconds / 4) * 1e9);
                times[2].Add(ShapesRunner.MedianSeconds(() => CompressedGemm.Multiply(rows, 1f, a, 128, int8, 1f, c, 512), 1000, seconds / 4) * 1e9);
            }
            Console.WriteLine($"| {rows} | {Median(times[0]):F0} | {Median(times[1]):F0} | {Median(times[2]):F0} |");
        }
    }

    private static void Latency(string[] args, int rounds, double seconds)
    {
        int[] threadCounts = [.. ShapesRunner.StringOption(args, "--latency-threads", "1,2").Split(',').Select(int.Parse)];
        var cases = (from threads in threadCounts from precision in Precisions select (Precision: precision, Threads: threads)).ToArray();
        var latencies = cases.Select(c => new SingleSequenceLatency(WeightPrecisionExtensions.FormatOf(c.Precision), c.Threads)).ToArray();
        foreach (SingleSequenceLatency latency in latencies)
            latency.Predict();

        Console.WriteLine();
        Console.WriteLine($"## One-row latency: LSTM input 128, hidden 128, 50 steps, batch 1 (SequencePredictor), median µs per sequence, {rounds} rounds");
        var times = cases.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < cases.Length; i++)
                times[i].Add(ShapesRunner.MedianSeconds(latencies[i].Predict, 200, seconds) * 1e6);
            Console.WriteLine($"round {round + 1}: " + string.Join(", ", cases.Select((c, i) => $"{c.Precision} {c.Threads}t {times[i][^1]:F1} µs")));
        }
        Console.WriteLine("| weights | threads | W_ih + W_hh bytes | latency µs (median of rounds) | vs float32, 1 thread | logit | |Δ logit| vs float32 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        double baseline = Median(times[0]);
        for (int i = 0; i < cases.Length; i++)
        {
            WeightPrecision precision = cases[i].Precision;
            long bytes = 2L * 512 * 128 * (precision switch { WeightPrecision.BFloat16 => 2, WeightPrecision.Int8 => 1, _ => 4 })
                + (precision == WeightPrecision.Int8 ? 2 * 512 * 4 : 0);
            double median = Median(times[i]);
            float reference = latencies[Array.FindIndex(cases, c => c.Precision == WeightPrecision.Float32 && c.Threads == cases[i].Threads)].Logit;
            Console.WriteLine($"| {precision} | {cases[i].Threads} | {bytes:N0} | {median:F1} | {baseline / median:F2}× | {latencies[i].Logit:G6} | {Math.Abs(latencies[i].Logit - reference):G3} |");
        }
    }

    private static void Sentiment(string[] args, int rounds, double seconds)
    {
        Console.WriteLine();
        if (!SentimentReviews.TryRead(args, out List<Review> trainRows, out List<Review> testRows, "Skipped the sentiment part"))
            return;
        int seed = ShapesRunner.IntOption(args, "--seed", 1), threads = ShapesRunner.IntOption(args, "--threads", 2);
        var ml = new MLContext(seed: seed);
        IDataView train = ml.Data.LoadFromEnumerable(trainRows), test = ml.Data.LoadFromEnumerable(testRows);
        var trainer = ml.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options { FeatureColumnName = "Text", NumberOfThreads = threads });
        SequenceBinaryClassificationTransformer trained = trainer.Fit(train);

        Console.WriteLine($"## Sentiment classifier (README's snippet: BiLSTM hidden 64 over the text column, defaults), UCI sentences, seed {seed}: {trainRows.Count} training, {testRows.Count} test sentences");
        var models = Precisions.Select(p => trained.WithWeightPrecision(p)).ToArray();
        var engines = models.Select(model => ml.Model.CreatePredictionEngine<Review, Scored>(model)).ToArray();
        bool[] reference = [.. testRows.Select(row => engines[0].Predict(row).PredictedLabel)];
        float[] referenceProbabilities = [.. testRows.Select(row => engines[0].Predict(row).Probability)];
        Console.WriteLine("| weights | saved model bytes | accuracy | AUC | labels as float32 | max |Δ probability| | PredictionEngine µs per sentence | vs float32 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var times = Precisions.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < engines.Length; i++)
            {
                var engine = engines[i];
                times[i].Add(ShapesRunner.MedianSeconds(() =>
                {
                    foreach (Review row in testRows)
                        engine.Predict(row);
                }, 3, seconds) * 1e6 / testRows.Count);
            }
        }
        double baseline = Median(times[0]);
        for (int i = 0; i < Precisions.Length; i++)
        {
            using var saved = new MemoryStream();
            ml.Model.Save(models[i], train.Schema, saved);
            CalibratedBinaryClassificationMetrics metrics = ml.BinaryClassification.Evaluate(models[i].Transform(test));
            int same = 0;
            float largest = 0f;
            for (int r = 0; r < testRows.Count; r++)
            {
                Scored scored = engines[i].Predict(testRows[r]);
                same += scored.PredictedLabel == reference[r] ? 1 : 0;
                largest = Math.Max(largest, Math.Abs(scored.Probability - referenceProbabilities[r]));
            }
            double median = Median(times[i]);
            Console.WriteLine($"| {Precisions[i]} | {saved.Length:N0} | {metrics.Accuracy:P1} | {metrics.AreaUnderRocCurve:F3} | {same}/{testRows.Count} | {largest:G3} | {median:F1} | {baseline / median:F2}× |");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed class Scored
    {
        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }
}
