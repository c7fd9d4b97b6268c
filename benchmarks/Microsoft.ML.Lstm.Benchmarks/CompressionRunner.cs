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
/// and AUC, agreement with float32's labels, and its <c>PredictionEngine</c> time per test sentence; then the same
/// classifier's featurizer (<c>AsFeaturizer</c>) at each precision under one logistic regression fitted on the float32
/// features: test accuracy and AUC, and how far the features move.</item>
/// <item><c>--part regression</c>: the regressor on the classic R series (<c>--forecast-data</c>, default
/// ../shared/data/forecast/all-series.csv): each series standardized on its first 80 %, windows of 12 values → the next
/// one, trained on the windows whose target lies in the first 80 % and tested on the rest; RMSE at each precision beside
/// the last value and ML.NET's SDCA regression on the window.</item>
/// <item><c>--part products</c>: the latency case's two products alone, at each precision.</item>
/// </list>
/// Options: <c>--part latency,sentiment</c> (those two by default), <c>--rounds 5</c>, <c>--seconds 0.5</c> per timing,
/// <c>--threads 2</c> for training, <c>--seed 1</c>. Without the data sets the sentiment and regression parts print one
/// line saying they skipped.
/// </summary>
internal static class CompressionRunner
{
    private static readonly WeightPrecision[] Precisions = [WeightPrecision.Float32, WeightPrecision.BFloat16, WeightPrecision.Int8];

    public static void Run(string[] args)
    {
        string[] parts = ShapesRunner.StringOption(args, "--part", "latency,sentiment").Split(',');
        int rounds = ShapesRunner.IntOption(args, "--rounds", 5);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 0.5);
        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}, compressed kernels: bfloat16 at {CompressedGemm.BestKernelFor(WeightFormat.BFloat16)} width, int8 at {CompressedGemm.BestKernelFor(WeightFormat.Int8)}, float GEMM {Gemm.BestKernel}, {Environment.ProcessorCount} processors");
        if (parts.Contains("products"))
            Products(rounds, seconds);
        if (parts.Contains("latency"))
            Latency(args, rounds, seconds);
        if (parts.Contains("sentiment"))
            Sentiment(args, rounds, seconds);
        if (parts.Contains("regression"))
            Regression(args);
    }

    /// <summary>The products of the latency case alone: h·W_hhᵀ (1 × 128 · 128 × 512) and the input projection (50 rows); and four rows (a small batch's recurrent step, the few-rows kernels).</summary>
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
        foreach (int rows in new[] { 1, 4, 50 })
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

        // The featurizer job: the same encoder's features under one downstream model fitted on float32's features.
        Console.WriteLine();
        Console.WriteLine("## The same classifier's featurizer (AsFeaturizer: the pooled BiLSTM features), logistic regression (L-BFGS) fitted on the float32 features of the training sentences");
        LstmFeaturizingTransformer featurizer = trained.AsFeaturizer("Features");
        var downstream = ml.BinaryClassification.Trainers.LbfgsLogisticRegression("Label", "Features").Fit(featurizer.Transform(train));
        float[][] referenceFeatures = Features(ml, featurizer, test);
        Console.WriteLine("| weights | accuracy | AUC | max |Δ feature| | largest |feature| |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (WeightPrecision precision in Precisions)
        {
            LstmFeaturizingTransformer compressed = featurizer.WithWeightPrecision(precision);
            IDataView features = compressed.Transform(test);
            CalibratedBinaryClassificationMetrics metrics = ml.BinaryClassification.Evaluate(downstream.Transform(features));
            float[][] values = Features(ml, compressed, test);
            float moved = 0f, largest = 0f;
            for (int r = 0; r < values.Length; r++)
            {
                for (int j = 0; j < values[r].Length; j++)
                {
                    moved = Math.Max(moved, Math.Abs(values[r][j] - referenceFeatures[r][j]));
                    largest = Math.Max(largest, Math.Abs(referenceFeatures[r][j]));
                }
            }
            Console.WriteLine($"| {precision} | {metrics.Accuracy:P1} | {metrics.AreaUnderRocCurve:F3} | {moved:G3} | {largest:G3} |");
        }
    }

    private static float[][] Features(MLContext ml, ITransformer featurizer, IDataView data) =>
        [.. ml.Data.CreateEnumerable<FeatureRow>(featurizer.Transform(data), reuseRowObject: false).Select(row => row.Features)];

    private static void Regression(string[] args)
    {
        string path = ShapesRunner.StringOption(args, "--forecast-data", "../shared/data/forecast/all-series.csv");
        Console.WriteLine();
        if (!File.Exists(path))
        {
            Console.WriteLine($"Skipped the regression part: {path} is not here (the project's shared data set).");
            return;
        }
        const int window = 12;
        var train = new List<WindowRow>();
        var test = new List<WindowRow>();
        foreach (IGrouping<string, string[]> series in File.ReadLines(path).Skip(1).Select(line => line.Split(',')).GroupBy(fields => fields[0]))
        {
            float[] values = [.. series.Select(fields => float.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture))];
            int cut = values.Length * 4 / 5;
            double mean = values.Take(cut).Average();
            double deviation = Math.Sqrt(values.Take(cut).Select(v => (v - mean) * (v - mean)).Average());
            float[] standardized = [.. values.Select(v => (float)((v - mean) / deviation))];
            for (int t = window; t < standardized.Length; t++)
                (t < cut ? train : test).Add(new WindowRow { Window = standardized[(t - window)..t], Label = standardized[t] });
        }

        int seed = ShapesRunner.IntOption(args, "--seed", 1), threads = ShapesRunner.IntOption(args, "--threads", 2);
        var ml = new MLContext(seed: seed);
        IDataView trainData = ml.Data.LoadFromEnumerable(train), testData = ml.Data.LoadFromEnumerable(test);
        SequenceRegressionTransformer trained = ml.Regression.Trainers.Lstm(
            new LstmRegressionTrainer.Options { FeatureColumnName = "Window", LabelColumnName = "Label", NumberOfThreads = threads }).Fit(trainData);
        RegressionMetrics linear = ml.Regression.Evaluate(
            ml.Regression.Trainers.Sdca("Label", "Window").Fit(trainData).Transform(testData));
        double naive = Math.Sqrt(test.Average(row => (row.Window[^1] - row.Label) * (double)(row.Window[^1] - row.Label)));

        Console.WriteLine($"## Regressor (defaults, one model over the nine R series' standardized windows of {window} → the next value), seed {seed}: {train.Count} training, {test.Count} test windows");
        Console.WriteLine($"Baselines on the same test windows: the last value RMSE {naive:F4}; SDCA regression on the window RMSE {linear.RootMeanSquaredError:F4}.");
        Console.WriteLine("| weights | saved model bytes | RMSE | MAE | max |Δ score| vs float32 |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        float[] reference = Scores(ml, trained, testData);
        foreach (WeightPrecision precision in Precisions)
        {
            SequenceRegressionTransformer model = trained.WithWeightPrecision(precision);
            using var saved = new MemoryStream();
            ml.Model.Save(model, trainData.Schema, saved);
            RegressionMetrics metrics = ml.Regression.Evaluate(model.Transform(testData));
            float[] scores = Scores(ml, model, testData);
            float moved = scores.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
            Console.WriteLine($"| {precision} | {saved.Length:N0} | {metrics.RootMeanSquaredError:F4} | {metrics.MeanAbsoluteError:F4} | {moved:G3} |");
        }
    }

    private static float[] Scores(MLContext ml, ITransformer model, IDataView data) =>
        [.. ml.Data.CreateEnumerable<ScoreRow>(model.Transform(data), reuseRowObject: false).Select(row => row.Score)];

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class WindowRow
    {
        [VectorType(12)]
        public float[] Window { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class ScoreRow
    {
        public float Score { get; set; }
    }

    private sealed class Scored
    {
        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }
}
