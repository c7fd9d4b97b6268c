using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// Issue #11's quality bar on the UCI Sentiment Labelled Sentences (<c>{data}/train.tsv</c>, <c>{data}/test.tsv</c>):
/// 300 labelled training sentences (drawn by the seed, as <c>samples/Featurize</c> draws them), the rest of the
/// training text without labels, and several ways to use them side by side: FeaturizeByLstm's vectors + SDCA,
/// FeaturizeText + SDCA, the LSTM classifier pretrained from the featurizer and from scratch.
/// </summary>
/// <remarks>
/// <para><c>--split select</c> chooses settings without touching test.tsv: 600 of the training sentences that carry no
/// label (drawn by the seed) are held out of everything (the language model's text too) and score the models.
/// <c>--split test</c> measures: the language model reads all 2,400 training sentences and test.tsv scores.</para>
/// <para>Variants (<c>--variants</c>, comma-separated): <c>text-sdca</c>; <c>sdca:POOLS:NORM:L2</c> (POOLS of
/// last, mean, max joined by <c>+</c>, or all; NORM mv, mv0 (centered), minmax or none; L2 auto or a number);
/// <c>pre:POOL:LR:tune|freeze</c> (the classifier on the featurizer's keys, pretrained); <c>scratch-keys:POOL</c>;
/// <c>sdca-stream:PASSES</c> and <c>sdca-cached:PASSES</c> (SDCA for at most PASSES passes straight on the featurizer's
/// output, or behind a cache);
/// <c>scratch-text[:POOL[:HIDDEN]]</c> (the README's text-column classifier, its own vocabulary);
/// over the text featurizer (<c>FeaturizeByLstm</c> on the Text column, its vocabulary of the words seen
/// <c>--word-count</c> times, default 2): <c>tpre:POOL:LR:tune|freeze[:ENCODER_LR_SCALE[:FROZEN_EPOCHS[:EPOCHS]]]</c> (the
/// classifier on the Text column started from it, with ULMFiT's options) and <c>tsdca:POOLS:NORM:L2</c> (SDCA on its
/// vectors; POOLS may also name <c>emean</c> and <c>emax</c>, the mean and max of the language model's input embeddings,
/// read from the network as a trial of that pooling).</para>
/// <para><c>--transductive</c> adds the scored rows' text (never their labels) to the language models' text, as some
/// semi-supervised papers let the unlabelled pool hold the test inputs; its results must be reported as such.</para>
/// <para>The featurizer (<c>--hidden</c>, <c>--embedding</c>, <c>--lm-epochs</c>, <c>--lm-dropout</c>, <c>--min-count</c>:
/// words seen fewer times in the language model's text are mapped to the missing key, <c>--singleton-dropout</c>) is trained once per seed and
/// split and kept under <c>--cache DIR</c>, so several invocations share it.</para>
/// Without the data set, it prints one line saying it skipped.
/// </remarks>
internal static class FeaturizeQualityRunner
{
    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    public static void Run(string[] args)
    {
        if (!SentimentReviews.TryRead(args, out List<Review> train, out List<Review> test))
            return;
        int[] seeds = ShapesRunner.StringOption(args, "--seeds", "1,2,3").Split(',').Select(int.Parse).ToArray();
        bool select = ShapesRunner.StringOption(args, "--split", "select") == "select";
        int labels = ShapesRunner.IntOption(args, "--labels", 300);
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        string cache = ShapesRunner.StringOption(args, "--cache", "/tmp/featurize-quality");
        Directory.CreateDirectory(cache);
        string[] variants = ShapesRunner.StringOption(args, "--variants", "text-sdca,sdca:all:mv:auto,pre:max:0.003:tune,scratch-keys:max,scratch-text").Split(',');
        var lm = new LanguageModelSettings(
            ShapesRunner.IntOption(args, "--hidden", 128), ShapesRunner.IntOption(args, "--embedding", 64), ShapesRunner.IntOption(args, "--lm-epochs", 10),
            ShapesRunner.DoubleOption(args, "--lm-dropout", 0.2), ShapesRunner.IntOption(args, "--min-count", 1),
            ShapesRunner.DoubleOption(args, "--singleton-dropout", 0));
        // The text featurizer (FeaturizeByLstm over the Text column, its own vocabulary of words seen --word-count times).
        int wordCount = ShapesRunner.IntOption(args, "--word-count", 2);
        // Transductive: the scored rows' text (never their labels) joins the language model's text.
        bool transductive = args.Contains("--transductive");

        Console.WriteLine($"# split {(select ? "select (600 unlabelled training sentences score; test.tsv unused)" : "test")}, {labels} labels, featurizer {lm}, text featurizer words seen {wordCount}+ times, threads {threads}" +
            (transductive ? ", TRANSDUCTIVE: the scored rows' text (not their labels) is in the language model's text" : ""));
        foreach (int seed in seeds)
        {
            // The sample's draw: the training rows shuffled by the seed, the first ones labelled.
            Review[] shuffled = [.. train];
            new Random(seed).Shuffle(shuffled);
            Review[] labelled = shuffled[..labels];
            Review[] scored = select ? shuffled[labels..(labels + 600)] : [.. test];
            // The language model's text; for the test split in the sample's order (unlabelled rows first), so the keys are the sample's.
            Review[] text = select ? [.. shuffled[..labels], .. shuffled[(labels + 600)..]] : [.. shuffled[labels..], .. shuffled[..labels]];
            if (transductive)
                text = [.. text, .. scored.Select(review => new Review { Text = review.Text })];

            var ml = new MLContext(seed: seed);
            string logFilter = ShapesRunner.StringOption(args, "--log", "");
            if (logFilter.Length > 0)
            {
                ml.Log += (_, message) =>
                {
                    if (message.Message.Contains(logFilter, StringComparison.OrdinalIgnoreCase))
                        Console.Error.WriteLine($"  [{message.Source}] {message.Message}");
                };
            }
            IDataView textData = ml.Data.LoadFromEnumerable(text), trainData = ml.Data.LoadFromEnumerable(labelled), scoreData = ml.Data.LoadFromEnumerable(scored);
            ITransformer tokenizer = Tokenizer(ml, textData, lm.MinimumCount);
            IDataView textTokens = tokenizer.Transform(textData), trainTokens = tokenizer.Transform(trainData), scoreTokens = tokenizer.Transform(scoreData);
            string modelPath = Path.Combine(cache, $"featurizer-{(select ? "select" : "test")}{(transductive ? "-trans" : "")}-s{seed}-{lm.Key}.zip");
            var clock = Stopwatch.StartNew();
            LstmFeaturizingTransformer? featurizer = null;
            if (variants.Any(variant => variant.Split(':')[0] is "sdca" or "sdca-stream" or "sdca-cached" or "pre"))
            {
                if (File.Exists(modelPath))
                {
                    featurizer = (LstmFeaturizingTransformer)ml.Model.Load(modelPath, out _);
                }
                else
                {
                    featurizer = ml.Transforms.FeaturizeByLstm(new LstmFeaturizingEstimator.Options
                    {
                        OutputColumnName = "Features", InputColumnName = "Tokens", Seed = seed, NumberOfThreads = threads,
                        HiddenSize = lm.Hidden, EmbeddingSize = lm.Embedding, Epochs = lm.Epochs, Dropout = lm.Dropout, SingletonDropout = lm.SingletonDropout,
                        Progress = new Reporter(p => Console.Error.WriteLine($"  lm epoch {p.Epoch}: train {p.TrainingLoss:F3} held-out {p.ValidationLoss:F3} at {p.Elapsed.TotalSeconds:F0} s")),
                    }).Fit(textTokens);
                    ml.Model.Save(featurizer, textTokens.Schema, modelPath);
                    Console.WriteLine($"# seed {seed}: featurizer trained in {clock.Elapsed.TotalSeconds:F0} s");
                }
                Console.WriteLine($"# seed {seed}: perplexity of the forward model on the scored rows {featurizer.EvaluateLanguageModel(scoreTokens).Perplexity:F1}");
            }
            FeatureRow[]? trainVectors = null, scoreVectors = null, textTrainVectors = null, textScoreVectors = null;
            LstmFeaturizingTransformer? textFeaturizer = null;
            LstmFeaturizingTransformer TextFeaturizer()
            {
                if (textFeaturizer is not null)
                    return textFeaturizer;
                string path = Path.Combine(cache, $"text-featurizer-{(select ? "select" : "test")}{(transductive ? "-trans" : "")}-s{seed}-{lm.Key}-w{wordCount}.zip");
                if (File.Exists(path))
                    return textFeaturizer = (LstmFeaturizingTransformer)ml.Model.Load(path, out _);
                var watch = Stopwatch.StartNew();
                textFeaturizer = ml.Transforms.FeaturizeByLstm(new LstmFeaturizingEstimator.Options
                {
                    OutputColumnName = "Features", InputColumnName = "Text", Seed = seed, NumberOfThreads = threads, MinimumWordCount = wordCount,
                    HiddenSize = lm.Hidden, EmbeddingSize = lm.Embedding, Epochs = lm.Epochs, Dropout = lm.Dropout,
                    Progress = new Reporter(p => Console.Error.WriteLine($"  text lm epoch {p.Epoch}: train {p.TrainingLoss:F3} held-out {p.ValidationLoss:F3} at {p.Elapsed.TotalSeconds:F0} s")),
                }).Fit(textData);
                ml.Model.Save(textFeaturizer, textData.Schema, path);
                Console.WriteLine($"# seed {seed}: text featurizer trained in {watch.Elapsed.TotalSeconds:F0} s; forward perplexity on the scored rows {textFeaturizer.EvaluateLanguageModel(scoreData).Perplexity:F1} (its own vocabulary: not comparable with the keys' figure)");
                return textFeaturizer;
            }
            foreach (string variant in variants)
            {
                clock.Restart();
                string[] parts = variant.Split(':');
                CalibratedBinaryClassificationMetrics metrics;
                switch (parts[0])
                {
                    case "text-sdca":
                        metrics = ml.BinaryClassification.Evaluate(ml.Transforms.Text.FeaturizeText("Features", "Text")
                            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(Sdca(null))).Fit(trainData).Transform(scoreData));
                        break;
                    case "sdca" or "tsdca":
                        bool fromText = parts[0] == "tsdca";
                        if (fromText && (textTrainVectors is null || textScoreVectors is null))
                        {
                            LstmFeaturizingTransformer words = TextFeaturizer();
                            clock.Restart();
                            textTrainVectors = WithEmbeddings(words, labelled, Vectors(ml, words.Transform(trainData)));
                            textScoreVectors = WithEmbeddings(words, scored, Vectors(ml, words.Transform(scoreData)));
                            clock.Restart();
                        }
                        if (!fromText && (trainVectors is null || scoreVectors is null))
                        {
                            trainVectors = Vectors(ml, featurizer!.Transform(trainTokens));
                            scoreVectors = Vectors(ml, featurizer!.Transform(scoreTokens));
                            Console.WriteLine($"# seed {seed}: the featurizer's vectors of {trainVectors.Length + scoreVectors.Length} rows in {clock.Elapsed.TotalSeconds:F1} s");
                            clock.Restart();
                        }
                        int[] slots = Slots(parts[1], (fromText ? TextFeaturizer() : featurizer!).OutputSize);
                        IDataView sdcaTrain = Load(ml, (fromText ? textTrainVectors : trainVectors)!, slots), sdcaScore = Load(ml, (fromText ? textScoreVectors : scoreVectors)!, slots);
                        float? l2 = parts[3] == "auto" ? null : float.Parse(parts[3], CultureInfo.InvariantCulture);
                        IEstimator<ITransformer> normalize = parts[2] switch
                        {
                            "mv" => ml.Transforms.NormalizeMeanVariance("Features"),
                            "mv0" => ml.Transforms.NormalizeMeanVariance("Features", fixZero: false),
                            "minmax" => ml.Transforms.NormalizeMinMax("Features"),
                            _ => new EstimatorChain<ITransformer>(),
                        };
                        metrics = ml.BinaryClassification.Evaluate(normalize.Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(Sdca(l2)))
                            .Fit(sdcaTrain).Transform(sdcaScore));
                        break;
                    case "sdca-stream" or "sdca-cached":
                        // SDCA straight on the featurizer's output, as README's first featurizing snippet wrote it (stream), or
                        // behind a cache; at most parts[1] passes, the rest auto-tuned.
                        IDataView featurized = featurizer!.Transform(trainTokens);
                        var passes = Sdca(null);
                        passes.MaximumNumberOfIterations = int.Parse(parts[1], CultureInfo.InvariantCulture);
                        metrics = ml.BinaryClassification.Evaluate(ml.BinaryClassification.Trainers.SdcaLogisticRegression(passes)
                            .Fit(parts[0] == "sdca-cached" ? ml.Data.Cache(featurized) : featurized).Transform(featurizer!.Transform(scoreTokens)));
                        break;
                    case "pre":
                        metrics = ml.BinaryClassification.Evaluate(ml.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options
                        {
                            FeatureColumnName = "Tokens", PretrainedEncoder = featurizer!, FreezePretrainedEncoder = parts[3] == "freeze",
                            Pooling = Pooling(parts[1]), LearningRate = double.Parse(parts[2], CultureInfo.InvariantCulture), Seed = seed, NumberOfThreads = threads,
                        }).Fit(trainTokens).Transform(scoreTokens));
                        break;
                    case "tpre":
                        // tpre:POOL:LR:tune|freeze[:ENCODER_LR_SCALE[:FROZEN_EPOCHS[:EPOCHS]]]: the classifier on the Text column, started from the text featurizer.
                        LstmFeaturizingTransformer pretrainedText = TextFeaturizer();
                        clock.Restart();
                        var textOptions = new LstmBinaryTrainer.Options
                        {
                            FeatureColumnName = "Text", PretrainedEncoder = pretrainedText, FreezePretrainedEncoder = parts[3] == "freeze",
                            Pooling = Pooling(parts[1]), LearningRate = double.Parse(parts[2], CultureInfo.InvariantCulture), Seed = seed, NumberOfThreads = threads,
                        };
                        if (parts.Length > 4)
                            textOptions.PretrainedEncoderLearningRateScale = double.Parse(parts[4], CultureInfo.InvariantCulture);
                        if (parts.Length > 5)
                            textOptions.PretrainedEncoderFrozenEpochs = int.Parse(parts[5], CultureInfo.InvariantCulture);
                        if (parts.Length > 6)
                            textOptions.Epochs = int.Parse(parts[6], CultureInfo.InvariantCulture);
                        metrics = ml.BinaryClassification.Evaluate(ml.BinaryClassification.Trainers.Lstm(textOptions).Fit(trainData).Transform(scoreData));
                        break;
                    case "scratch-keys":
                        metrics = ml.BinaryClassification.Evaluate(ml.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options
                        {
                            FeatureColumnName = "Tokens", Pooling = Pooling(parts[1]), Seed = seed, NumberOfThreads = threads,
                        }).Fit(trainTokens).Transform(scoreTokens));
                        break;
                    case "scratch-text":
                        // scratch-text[:POOL[:HIDDEN]]
                        metrics = ml.BinaryClassification.Evaluate(ml.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options
                        {
                            FeatureColumnName = "Text", Seed = seed, NumberOfThreads = threads,
                            Pooling = parts.Length > 1 ? Pooling(parts[1]) : SequencePoolingMode.Max,
                            HiddenSize = parts.Length > 2 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : 64,
                        }).Fit(trainData).Transform(scoreData));
                        break;
                    default:
                        throw new ArgumentException($"Unknown variant '{variant}'.");
                }
                Console.WriteLine($"| {seed} | {variant} | {metrics.Accuracy:P1} | {metrics.AreaUnderRocCurve:F3} | {clock.Elapsed.TotalSeconds:F1} s |");
            }
        }
    }

    private sealed record LanguageModelSettings(int Hidden, int Embedding, int Epochs, double Dropout, int MinimumCount, double SingletonDropout)
    {
        public string Key => string.Create(CultureInfo.InvariantCulture, $"h{Hidden}-e{Embedding}-ep{Epochs}-d{Dropout}-m{MinimumCount}") +
            (SingletonDropout > 0 ? string.Create(CultureInfo.InvariantCulture, $"-s{SingletonDropout}") : "");
    }

    /// <summary>NormalizeText → TokenizeIntoWords → MapValueToKey over the language model's text; with a minimum count above 1, rarer words map to the missing key.</summary>
    private static ITransformer Tokenizer(MLContext ml, IDataView text, int minimumCount)
    {
        var words = ml.Transforms.Text.NormalizeText("Normalized", "Text", keepPunctuations: false)
            .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Normalized"));
        if (minimumCount <= 1)
            return words.Append(ml.Transforms.Conversion.MapValueToKey("Tokens")).Fit(text);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var tokenized = words.Fit(text).Transform(text);
        foreach (var tokens in tokenized.GetColumn<ReadOnlyMemory<char>[]>("Tokens"))
        {
            foreach (var token in tokens)
                counts[token.ToString()] = counts.GetValueOrDefault(token.ToString()) + 1;
        }
        IDataView keys = ml.Data.LoadFromEnumerable(counts.Where(pair => pair.Value >= minimumCount).Select(pair => new { Word = pair.Key }).ToList());
        return words.Append(ml.Transforms.Conversion.MapValueToKey("Tokens", keyData: keys)).Fit(text);
    }

    private static SdcaLogisticRegressionBinaryTrainer.Options Sdca(float? l2) =>
        new() { LabelColumnName = "Label", FeatureColumnName = "Features", NumberOfThreads = 1, L2Regularization = l2 };

    private static SequencePoolingMode Pooling(string name) => name switch
    {
        "max" => SequencePoolingMode.Max,
        "mean" => SequencePoolingMode.Mean,
        "last" => SequencePoolingMode.LastState,
        "attention" => SequencePoolingMode.Attention,
        _ => throw new ArgumentException($"Unknown pooling '{name}'."),
    };

    /// <summary>The featurizer's slots of the named poolings (its order: last, mean, max, each as wide as the encoder's output).</summary>
    private static int[] Slots(string pools, int outputSize)
    {
        int width = outputSize / 3;
        string[] order = ["last", "mean", "max", "emean", "emax"];
        string[] wanted = pools == "all" ? order[..3] : pools.Split('+');
        return [.. wanted.SelectMany(name => Enumerable.Range(Array.IndexOf(order, name) * width, width))];
    }

    /// <summary>
    /// Each row's vector followed by the mean and the max of its words' input embeddings in the text featurizer's language
    /// model (a trial of an "embedding" pooling, read straight from the network), each as wide as a third of the vector
    /// (the embedding is zero-padded or cut to that width).
    /// </summary>
    private static FeatureRow[] WithEmbeddings(LstmFeaturizingTransformer featurizer, Review[] reviews, FeatureRow[] rows)
    {
        var vocabulary = featurizer.Features.Vocabulary!;
        var embedding = featurizer.Network.Embedding!;
        int dimension = embedding.Dimension, width = featurizer.OutputSize / 3;
        float[] table = embedding.Vectors.ToArray();
        char[] buffer = [];
        int[] ids = [];
        for (int r = 0; r < rows.Length; r++)
        {
            int count = vocabulary.Encode(reviews[r].Text, ref buffer, ref ids);
            var mean = new float[width];
            var max = Enumerable.Repeat(float.NegativeInfinity, width).ToArray();
            for (int t = 0; t < Math.Max(count, 1); t++)
            {
                int id = count == 0 ? vocabulary.UnknownId : ids[t];
                for (int d = 0; d < Math.Min(dimension, width); d++)
                {
                    float value = table[id * dimension + d];
                    mean[d] += value / Math.Max(count, 1);
                    max[d] = Math.Max(max[d], value);
                }
            }
            for (int d = dimension; d < width; d++)
                max[d] = 0;
            rows[r].Features = [.. rows[r].Features, .. mean, .. max];
        }
        return rows;
    }

    private static FeatureRow[] Vectors(MLContext ml, IDataView featurized)
    {
        var rows = new List<FeatureRow>();
        using var cursor = featurized.GetRowCursor(featurized.Schema.Where(c => c.Name is "Features" or "Label"));
        var features = cursor.GetGetter<VBuffer<float>>(featurized.Schema["Features"]);
        var label = cursor.GetGetter<bool>(featurized.Schema["Label"]);
        VBuffer<float> vector = default;
        bool value = false;
        while (cursor.MoveNext())
        {
            features(ref vector);
            label(ref value);
            rows.Add(new FeatureRow { Features = vector.DenseValues().ToArray(), Label = value });
        }
        return [.. rows];
    }

    private static IDataView Load(MLContext ml, FeatureRow[] rows, int[] slots)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, slots.Length);
        return ml.Data.LoadFromEnumerable(rows.Select(row => new FeatureRow { Features = [.. slots.Select(i => row.Features[i])], Label = row.Label }).ToList(), schema);
    }

    private sealed class Reporter(Action<LstmTrainingProgress> report) : IProgress<LstmTrainingProgress>
    {
        public void Report(LstmTrainingProgress value) => report(value);
    }
}
