using System.Diagnostics;
using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// Issue #13's quality figures on the UCI Sentiment Labelled Sentences (<c>{data}/train.tsv</c>, <c>{data}/test.tsv</c>),
/// through the catalog entries, as a user would run them:
/// <list type="bullet">
/// <item><c>text-quality</c>: the README's first snippet (the trainer reading the text column), the sample's former
/// pipeline (NormalizeText → TokenizeIntoWords → MapValueToKey → the trainer) and FeaturizeText + SDCA, per seed.</item>
/// <item><c>learning-curve</c>: the trainer's defaults on the text column beside FeaturizeText + SDCA, trained on
/// subsets of the training split (drawn by the seed) and tested on the whole test split.</item>
/// </list>
/// Without the data set, each prints one line saying it skipped.
/// </summary>
internal static class TextQualityRunner
{
    /// <summary>Options <c>--data DIR</c>, <c>--seeds 1,2,3</c>, <c>--threads</c>; text options to try: <c>--punctuation 0|1</c>,
    /// <c>--min-count N</c>, <c>--lowercase 0|1</c>.</summary>
    public static void RunTextQuality(string[] args)
    {
        if (!SentimentReviews.TryRead(args, out List<Review> train, out List<Review> test))
            return;
        int[] seeds = Seeds(args);
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        Console.WriteLine("| seed | LSTM, text column (README) | LSTM, NormalizeText → keys (former sample) | FeaturizeText + SDCA |");
        Console.WriteLine("|---|---:|---:|---:|");
        var sums = new double[3];
        foreach (int seed in seeds)
        {
            var ml = new MLContext(seed: seed);
            if (args.Contains("--log"))
            {
                ml.Log += (_, message) =>
                {
                    if (message.Kind == Runtime.ChannelMessageKind.Info && message.Source.Contains("Lstm", StringComparison.Ordinal))
                        Console.Error.WriteLine(message.Message);
                };
            }
            IDataView trainData = ml.Data.LoadFromEnumerable(train), testData = ml.Data.LoadFromEnumerable(test);
            var textOptions = TextOptions(args, threads);
            double text = Accuracy(ml, ml.BinaryClassification.Trainers.Lstm(textOptions), trainData, testData);
            bool onlyText = args.Contains("--only-text");
            double keys = onlyText ? 0 : Accuracy(ml,
                ml.Transforms.Text.NormalizeText("Normalized", "Text", keepPunctuations: false)
                    .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Normalized"))
                    .Append(ml.Transforms.Conversion.MapValueToKey("Tokens"))
                    .Append(ml.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options { FeatureColumnName = "Tokens", NumberOfThreads = threads })),
                trainData, testData);
            double baseline = onlyText ? 0 : Accuracy(ml, Baseline(ml), trainData, testData, calibrated: false);
            sums[0] += text; sums[1] += keys; sums[2] += baseline;
            Console.WriteLine($"| {seed} | {text:P1} | {keys:P1} | {baseline:P1} |");
        }
        Console.WriteLine($"| mean | {sums[0] / seeds.Length:P1} | {sums[1] / seeds.Length:P1} | {sums[2] / seeds.Length:P1} |");
    }

    private sealed class SiteReview
    {
        public string Text { get; set; } = "";

        public string Site { get; set; } = "";
    }

    /// <summary>
    /// The <c>site-quality</c> mode: the 3-class task of issue #13 (which site a sentence comes from: amazon, imdb or
    /// yelp, read from the original files) on the same train/test split, for the multiclass trainer reading the text
    /// column, the keys pipeline and FeaturizeText + SdcaMaximumEntropy. Options <c>--data DIR</c>, <c>--seeds</c>, <c>--threads</c>,
    /// <c>--min-count N</c> for the text column, <c>--only-text</c>.
    /// </summary>
    public static void RunSiteQuality(string[] args)
    {
        if (!SentimentReviews.TryRead(args, out List<Review> train, out List<Review> test))
            return;
        string data = ShapesRunner.StringOption(args, "--data", "../shared/data/sentiment");
        var sites = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string site in new[] { "amazon_cells", "imdb", "yelp" })
        {
            foreach (string line in File.ReadLines(Path.Combine(data, $"{site}_labelled.txt")))
            {
                int tab = line.LastIndexOf('\t');
                if (tab > 0)
                    sites.TryAdd(line[..tab].Trim(), site);
            }
        }
        List<SiteReview> Label(List<Review> rows) =>
            [.. rows.Where(row => sites.ContainsKey(row.Text.Trim())).Select(row => new SiteReview { Text = row.Text, Site = sites[row.Text.Trim()] })];
        List<SiteReview> trainRows = Label(train), testRows = Label(test);
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        Console.WriteLine($"# {trainRows.Count} of {train.Count} training and {testRows.Count} of {test.Count} test sentences found in the site files");
        Console.WriteLine("| seed | LSTM, text column | LSTM, NormalizeText → keys | FeaturizeText + SdcaMaximumEntropy |");
        Console.WriteLine("|---|---:|---:|---:|");
        var sums = new double[3];
        int[] seeds = Seeds(args);
        foreach (int seed in seeds)
        {
            var ml = new MLContext(seed: seed);
            IDataView trainData = ml.Data.LoadFromEnumerable(trainRows), testData = ml.Data.LoadFromEnumerable(testRows);
            var label = ml.Transforms.Conversion.MapValueToKey("Label", "Site");
            double Accuracy(IEstimator<ITransformer> pipeline) =>
                ml.MulticlassClassification.Evaluate(pipeline.Fit(trainData).Transform(testData)).MicroAccuracy;
            var textOptions = new LstmMulticlassTrainer.Options { FeatureColumnName = "Text", NumberOfThreads = threads };
            if (ShapesRunner.IntOption(args, "--min-count", 0) is int minCount and > 0)
                textOptions.MinimumWordCount = minCount;
            double text = Accuracy(label.Append(ml.MulticlassClassification.Trainers.Lstm(textOptions)));
            bool onlyText = args.Contains("--only-text");
            double keys = onlyText ? double.NaN : Accuracy(label
                .Append(ml.Transforms.Text.NormalizeText("Normalized", "Text", keepPunctuations: false))
                .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Normalized"))
                .Append(ml.Transforms.Conversion.MapValueToKey("Tokens"))
                .Append(ml.MulticlassClassification.Trainers.Lstm(new LstmMulticlassTrainer.Options { FeatureColumnName = "Tokens", NumberOfThreads = threads })));
            double baseline = onlyText ? double.NaN : Accuracy(label
                .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()));
            sums[0] += text; sums[1] += keys; sums[2] += baseline;
            Console.WriteLine($"| {seed} | {text:P1} | {keys:P1} | {baseline:P1} |");
        }
        Console.WriteLine($"| mean | {sums[0] / seeds.Length:P1} | {sums[1] / seeds.Length:P1} | {sums[2] / seeds.Length:P1} |");
    }

    /// <summary>Options <c>--data DIR</c>, <c>--seeds 1,2,3</c>, <c>--sizes 100,300,1000,2400</c>, <c>--threads</c>;
    /// <c>--former-rule</c> holds out 10 % of the rows for early stopping whatever their number (the rule before issue #13),
    /// <c>--no-baseline</c> skips FeaturizeText + SDCA.</summary>
    public static void RunLearningCurve(string[] args)
    {
        if (!SentimentReviews.TryRead(args, out List<Review> train, out List<Review> test))
            return;
        int[] seeds = Seeds(args);
        int[] sizes = ShapesRunner.StringOption(args, "--sizes", "100,300,1000,2400").Split(',').Select(int.Parse).ToArray();
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        bool formerRule = args.Contains("--former-rule");
        bool skipBaseline = args.Contains("--no-baseline");
        Console.WriteLine("| training rows | seed | LSTM defaults (text column) | FeaturizeText + SDCA | LSTM epochs run | LSTM train time (s) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (int size in sizes)
        {
            double lstmSum = 0, baselineSum = 0;
            foreach (int seed in seeds)
            {
                List<Review> subset = size >= train.Count ? train : Subset(train, size, seed);
                var ml = new MLContext(seed: seed);
                string epochs = "?";
                ml.Log += (_, message) =>
                {
                    if (message.Kind == Runtime.ChannelMessageKind.Info && message.Message.Contains("Trained ", StringComparison.Ordinal)
                        && message.Message.Contains(" epochs", StringComparison.Ordinal))
                    {
                        string text = message.Message[(message.Message.IndexOf("Trained ", StringComparison.Ordinal) + 8)..];
                        epochs = text[..text.IndexOf(' ')];
                    }
                };
                IDataView trainData = ml.Data.LoadFromEnumerable(subset), testData = ml.Data.LoadFromEnumerable(test);
                var clock = Stopwatch.StartNew();
                var trainer = ml.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options { FeatureColumnName = "Text", NumberOfThreads = threads });
                double lstm;
                if (formerRule)
                {
                    // The rule before issue #13: 10 % of the rows held out for early stopping, however few they are.
                    List<Review> shuffled = Subset(subset, subset.Count, seed + 1000);
                    int held = (int)Math.Round(subset.Count * 0.1);
                    var model = trainer.Fit(ml.Data.LoadFromEnumerable(shuffled.Skip(held).ToList()), ml.Data.LoadFromEnumerable(shuffled.Take(held).ToList()));
                    lstm = ml.BinaryClassification.Evaluate(model.Transform(testData)).Accuracy;
                }
                else
                {
                    lstm = Accuracy(ml, trainer, trainData, testData);
                }
                double seconds = clock.Elapsed.TotalSeconds;
                double baseline = skipBaseline ? double.NaN : Accuracy(ml, Baseline(ml), trainData, testData, calibrated: false);
                lstmSum += lstm; baselineSum += baseline;
                Console.WriteLine($"| {subset.Count:N0} | {seed} | {lstm:P1} | {baseline:P1} | {epochs} | {seconds:F1} |");
            }
            Console.WriteLine($"| **{Math.Min(size, train.Count):N0}** | mean | **{lstmSum / seeds.Length:P1}** | **{baselineSum / seeds.Length:P1}** | | |");
        }
    }

    /// <summary>
    /// The <c>small-data-probe</c> mode: how test accuracy moves epoch by epoch when the default network trains on a
    /// subset with no validation set (the learning rate halved on a plateau of the training loss), so that a fixed
    /// budget for small data can be chosen from evidence. Options <c>--sizes</c>, <c>--seeds</c>, <c>--epochs</c> (80),
    /// <c>--hidden</c> (64), <c>--threads</c>.
    /// </summary>
    public static void RunSmallDataProbe(string[] args)
    {
        if (!SentimentReviews.TryRead(args, out List<Review> train, out List<Review> test))
            return;
        int[] seeds = Seeds(args);
        int[] sizes = ShapesRunner.StringOption(args, "--sizes", "100,300,1000").Split(',').Select(int.Parse).ToArray();
        int epochs = ShapesRunner.IntOption(args, "--epochs", 80);
        int hidden = ShapesRunner.IntOption(args, "--hidden", 64);
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        int[] shown = [1, 2, 3, 5, 10, 15, 20, 30, 40, 60, 80, 120, 160];
        Console.WriteLine($"| rows | seed | steps/epoch | {string.Join(" | ", shown.Where(e => e <= epochs).Select(e => $"epoch {e}"))} |");
        foreach (int size in sizes)
        {
            foreach (int seed in seeds)
            {
                List<Review> subset = size >= train.Count ? train : Subset(train, size, seed);
                var builder = new Networks.TextVocabulary.Builder(new Networks.TextTokenizer(true, false));
                foreach (Review row in subset)
                    builder.Add(row.Text);
                Networks.TextVocabulary vocabulary = builder.Build(1, 0);
                List<Networks.SequenceExample> Examples(List<Review> rows)
                {
                    char[] buffer = [];
                    int[] ids = [];
                    var examples = new List<Networks.SequenceExample>();
                    foreach (Review row in rows)
                    {
                        int count = vocabulary.Encode(row.Text, ref buffer, ref ids);
                        int[] tokens = count == 0 ? [vocabulary.UnknownId] : ids[..count];
                        examples.Add(Networks.SequenceExample.FromTokens(tokens, [row.Label ? 1f : 0f]));
                    }
                    return examples;
                }
                List<Networks.SequenceExample> training = Examples(subset), testing = Examples(test);
                var spec = new Networks.NetworkSpec(
                    new Networks.EncoderSpec
                    {
                        Input = Networks.SequenceInputKind.Tokens, VocabularySize = vocabulary.Count + 1, EmbeddingSize = 64,
                        Cell = Networks.CellType.Lstm, HiddenSize = hidden, Bidirectional = true, Merge = Networks.MergeMode.Concat, Dropout = 0.3,
                    },
                    new Networks.PooledHeadSpec { Pooling = Networks.PoolingMode.Max, OutputSize = 1, Loss = Networks.LossKind.SigmoidBinaryCrossEntropy, Dropout = 0.3 });
                var network = new Networks.SequenceNetwork<float>(spec, seed, threads);
                var accuracies = new Dictionary<int, double>();
                var options = new Networks.TrainingOptions
                {
                    Epochs = epochs, BatchSize = 32, LearningRate = 3e-3, GradientClipNorm = 5, EarlyStoppingPatience = 0, ValidationFraction = 0,
                    Threads = threads, Seed = seed,
                };
                options = options with
                {
                    Progress = new EpochProbe(report =>
                    {
                        if (shown.Contains(report.Epoch))
                            accuracies[report.Epoch] = new Networks.NetworkTrainer<float>(network, options).Evaluate(testing).Accuracy ?? double.NaN;
                    }),
                };
                new Networks.NetworkTrainer<float>(network, options).Train(training);
                Console.WriteLine($"| {subset.Count} | {seed} | {(subset.Count + 31) / 32} | {string.Join(" | ", shown.Where(e => e <= epochs).Select(e => $"{accuracies[e]:P1}"))} |");
            }
        }
    }

    private sealed class EpochProbe(Action<Networks.TrainingProgress> report) : IProgress<Networks.TrainingProgress>
    {
        public void Report(Networks.TrainingProgress value) => report(value);
    }

    private static LstmBinaryTrainer.Options TextOptions(string[] args, int threads)
    {
        var options = new LstmBinaryTrainer.Options { FeatureColumnName = "Text", NumberOfThreads = threads };
        int punctuation = ShapesRunner.IntOption(args, "--punctuation", -1);
        if (punctuation >= 0)
            options.KeepPunctuation = punctuation == 1;
        int lowercase = ShapesRunner.IntOption(args, "--lowercase", -1);
        if (lowercase >= 0)
            options.LowercaseText = lowercase == 1;
        int minCount = ShapesRunner.IntOption(args, "--min-count", 0);
        if (minCount > 0)
            options.MinimumWordCount = minCount;
        return options;
    }

    private static IEstimator<ITransformer> Baseline(MLContext ml) =>
        ml.Transforms.Text.FeaturizeText("Features", "Text")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Label", featureColumnName: "Features"));

    private static double Accuracy<TTransformer>(MLContext ml, IEstimator<TTransformer> pipeline, IDataView train, IDataView test, bool calibrated = true)
        where TTransformer : class, ITransformer
    {
        ITransformer model = pipeline.Fit(train);
        IDataView scored = model.Transform(test);
        return calibrated
            ? ml.BinaryClassification.Evaluate(scored).Accuracy
            : ml.BinaryClassification.EvaluateNonCalibrated(scored).Accuracy;
    }

    /// <summary><paramref name="size"/> rows of <paramref name="rows"/> drawn without replacement by <paramref name="seed"/>, in their file order.</summary>
    private static List<Review> Subset(List<Review> rows, int size, int seed)
    {
        var order = Enumerable.Range(0, rows.Count).ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(size).Order().Select(i => rows[i]).ToList();
    }

    private static int[] Seeds(string[] args) =>
        ShapesRunner.StringOption(args, "--seeds", "1,2,3").Split(',').Select(int.Parse).ToArray();
}
