using System.Diagnostics;
using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `tagging-quality` mode (issue #9's quality bar): trains the ML.NET tagger on <c>{data}/wnut17-train.conll</c>
/// through its catalog entry, as a user would, and scores <c>{data}/wnut17-test.conll</c> by entity span
/// (EvaluateTagging): the defaults (BiLSTM-CRF with character features), the same network with a softmax head and
/// no characters, and the baseline a user might otherwise pick, each token's most frequent training tag.
/// </summary>
internal static class TaggingQualityRunner
{
    private sealed class Sentence
    {
        public string[] Tokens { get; set; } = [];

        public string[] Tags { get; set; } = [];
    }

    /// <summary>Options <c>--data DIR</c>, <c>--seed</c>, <c>--threads</c>, <c>--only N</c> (run the N-th model alone), and
    /// <c>--epochs</c>, <c>--patience</c> to override the trainer's defaults (patience 0: no validation split either), and
    /// <c>--weights BFloat16,Int8</c> to score each trained model again with its recurrent weights compressed (issue #15),
    /// with the time <c>Transform</c> and the evaluation take over the test sentences for each (after one warm-up pass).</summary>
    public static void Run(string[] args)
    {
        string data = ShapesRunner.StringOption(args, "--data", "../shared/data/ner");
        int seed = ShapesRunner.IntOption(args, "--seed", 1);
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        int only = ShapesRunner.IntOption(args, "--only", 0);
        int epochs = ShapesRunner.IntOption(args, "--epochs", 0), patience = ShapesRunner.IntOption(args, "--patience", -1);
        string trainPath = Path.Combine(data, "wnut17-train.conll"), testPath = Path.Combine(data, "wnut17-test.conll");
        if (!File.Exists(trainPath) || !File.Exists(testPath))
        {
            Console.WriteLine($"Skipped: {trainPath} and {testPath} are not here (the shared data set is absent).");
            return;
        }
        List<Sentence> Read(string path) => TaggingRunner.ReadConll(path).Select(s => new Sentence { Tokens = s.Tokens, Tags = s.Tags }).ToList();
        List<Sentence> trainRows = Read(trainPath), testRows = Read(testPath);

        var ml = new MLContext(seed: seed);
        IDataView train = ml.Data.LoadFromEnumerable(trainRows), test = ml.Data.LoadFromEnumerable(testRows);
        Console.WriteLine($"| model | micro F1 | precision | recall | token accuracy | train time (s) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");

        void Report(string name, TaggingMetrics metrics, double seconds) =>
            Console.WriteLine($"| {name} | {metrics.MicroF1Score:P1} | {metrics.MicroPrecision:P1} | {metrics.MicroRecall:P1} | {metrics.TokenAccuracy:P1} | {seconds:F0} |");

        int index = 0;
        foreach (var (name, options) in new (string, LstmTaggerTrainer.Options)[]
        {
            ("LstmTagger defaults: BiLSTM-CRF, characters and word shapes", new() { CharacterColumnName = "Tokens" }),
            ("BiLSTM-CRF, no characters", new() { }),
            ("BiLSTM + softmax, no characters", new() { UseCrf = false }),
        })
        {
            if (only > 0 && ++index != only)
                continue;
            if (epochs > 0)
                options.Epochs = epochs;
            if (patience >= 0)
                options.EarlyStoppingPatience = patience;
            if (patience == 0)
                options.ValidationFraction = 0;
            options.LabelColumnName = "Label";
            options.FeatureColumnName = "TokenKeys";
            options.NumberOfThreads = threads;
            var pipeline = ml.Transforms.Conversion.MapValueToKey("TokenKeys", "Tokens")
                .Append(ml.Transforms.Conversion.MapValueToKey("Label", "Tags"))
                .Append(ml.MulticlassClassification.Trainers.LstmTagger(options));
            var clock = Stopwatch.StartNew();
            var model = pipeline.Fit(train);
            double seconds = clock.Elapsed.TotalSeconds;
            Report(name, ml.MulticlassClassification.EvaluateTagging(model.Transform(test), "Label", "PredictedLabel"), seconds);
            string weights = ShapesRunner.StringOption(args, "--weights", "");
            if (weights.Length > 0)
            {
                ITransformer[] steps = [.. model];
                foreach (WeightPrecision precision in ((IEnumerable<string>)["Float32", .. weights.Split(',')]).Select(Enum.Parse<WeightPrecision>))
                {
                    steps[^1] = model.LastTransformer.WithWeightPrecision(precision);
                    var compressed = new TransformerChain<ITransformer>(steps);
                    using var saved = new MemoryStream();
                    ml.Model.Save(compressed, train.Schema, saved);
                    ml.MulticlassClassification.EvaluateTagging(compressed.Transform(test), "Label", "PredictedLabel"); // warm-up
                    var scoring = Stopwatch.StartNew();
                    TaggingMetrics metrics = ml.MulticlassClassification.EvaluateTagging(compressed.Transform(test), "Label", "PredictedLabel");
                    Console.WriteLine($"| {name}, {precision} weights | {metrics.MicroF1Score:P1} | {metrics.MicroPrecision:P1} | {metrics.MicroRecall:P1} | {metrics.TokenAccuracy:P1} | scored the test set in {scoring.Elapsed.TotalSeconds:F2} s; saved {saved.Length:N0} bytes |");
                }
            }
        }

        // The baseline: each token's most frequent tag in training (O for tokens never seen), entity spans as they fall.
        var counts = new Dictionary<string, Dictionary<string, int>>();
        foreach (Sentence sentence in trainRows)
        {
            for (int i = 0; i < sentence.Tokens.Length; i++)
            {
                var tags = counts.TryGetValue(sentence.Tokens[i], out var known) ? known : counts[sentence.Tokens[i]] = new();
                tags[sentence.Tags[i]] = tags.GetValueOrDefault(sentence.Tags[i]) + 1;
            }
        }
        var baseline = testRows.Select(s => new { s.Tags, Predicted = s.Tokens.Select(t => counts.TryGetValue(t, out var tags) ? tags.MaxBy(p => p.Value).Key : "O").ToArray() });
        IDataView scored = ml.Data.LoadFromEnumerable(baseline.Select(b => new Sentence { Tokens = b.Predicted, Tags = b.Tags }));
        Report("most frequent training tag per token", ml.MulticlassClassification.EvaluateTagging(scored, "Tags", "Tokens"), 0);
    }
}
