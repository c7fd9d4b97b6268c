using Featurize;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// <c>samples/Featurize</c>'s first row (FeaturizeByLstm + SdcaLogistic on its generated reviews: 4,000 unlabelled and
/// 200 labelled to fit the featurizer, SDCA on the 200, 1,000 to test) over several seeds, with the featurizer reading
/// the reviews in one of these forms (<c>--forms</c>, comma-separated, each seed runs them in turn):
/// <c>text</c> (the Text column, the featurizer's own vocabulary: the sample now), <c>keys</c> (<c>NormalizeText</c> →
/// <c>TokenizeIntoWords</c> → <c>MapValueToKey</c>, keys in order of first occurrence: the sample before),
/// <c>keys-freq</c> (the same keys, numbered most frequent first as the text vocabulary numbers its words) and
/// <c>keys-value</c> (numbered in ordinal order). It prints each run's accuracy and AUC, and, where a seed runs both
/// <c>text</c> and <c>keys-freq</c>, whether their test vectors are bit for bit the same.
/// </summary>
internal static class FeaturizeSampleRunner
{
    private sealed class FeatureRow
    {
        [VectorType]
        public float[] Features { get; set; } = [];
    }

    private sealed class WordRow
    {
        public string Tokens { get; set; } = "";
    }

    public static void Run(string[] args)
    {
        int[] seeds = ShapesRunner.StringOption(args, "--seeds", "1,2,3").Split(',').Select(int.Parse).ToArray();
        string[] forms = ShapesRunner.StringOption(args, "--forms", "text,keys").Split(',');
        int threads = ShapesRunner.IntOption(args, "--threads", 1);
        if (forms.FirstOrDefault(form => form is not ("text" or "keys" or "keys-freq" or "keys-value")) is string unknown)
            throw new ArgumentException($"Unknown form '{unknown}'; expected text, keys, keys-freq or keys-value.");
        ReviewRow[] unlabelled = ReviewGenerator.Generate(4000, seed: 10), test = ReviewGenerator.Generate(1000, seed: 3);
        Console.WriteLine($"# featurize-sample: seeds {string.Join(",", seeds)}, forms {string.Join(",", forms)}, {threads} thread(s)");
        Console.WriteLine($"{"seed",4} {"form",-10} {"accuracy",9} {"AUC",6} {"perplexity",10}");
        var sums = forms.ToDictionary(form => form, _ => (Accuracy: 0.0, Auc: 0.0));
        foreach (int seed in seeds)
        {
            var vectors = new Dictionary<string, float[][]>();
            foreach (string form in forms)
            {
                // As the sample does: one context per run, seeded; the labelled reviews drawn by the seed.
                var ml = new MLContext(seed: seed);
                ReviewRow[] labelled = ReviewGenerator.Generate(200, seed: 20 + seed);
                IDataView all = ml.Data.LoadFromEnumerable(unlabelled.Concat(labelled));
                IDataView train = ml.Data.LoadFromEnumerable(labelled), testData = ml.Data.LoadFromEnumerable(test);
                string input = "Text";
                if (form != "text")
                {
                    ITransformer tokenizer = ml.Transforms.Text.NormalizeText("Normalized", "Text", keepPunctuations: false)
                        .Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Normalized"))
                        .Append(form == "keys-freq"
                            ? ml.Transforms.Conversion.MapValueToKey("Tokens", keyData: ml.Data.LoadFromEnumerable(ByFrequency(unlabelled.Concat(labelled))))
                            : ml.Transforms.Conversion.MapValueToKey("Tokens", keyOrdinality: form == "keys"
                                ? ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence : ValueToKeyMappingEstimator.KeyOrdinality.ByValue))
                        .Fit(all);
                    (all, train, testData, input) = (tokenizer.Transform(all), tokenizer.Transform(train), tokenizer.Transform(testData), "Tokens");
                }
                LstmFeaturizingTransformer featurizer = ml.Transforms.FeaturizeByLstm(new LstmFeaturizingEstimator.Options
                {
                    OutputColumnName = "Features", InputColumnName = input, Epochs = 10, Seed = seed, NumberOfThreads = threads,
                }).Fit(all);
                var sdca = ml.Transforms.NormalizeMeanVariance("Features")
                    .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
                    { LabelColumnName = "Label", FeatureColumnName = "Features", NumberOfThreads = 1 }))
                    .Fit(ml.Data.Cache(featurizer.Transform(train)));
                IDataView testFeatures = featurizer.Transform(testData);
                CalibratedBinaryClassificationMetrics metrics = ml.BinaryClassification.Evaluate(sdca.Transform(testFeatures));
                double perplexity = featurizer.EvaluateLanguageModel(testData).Perplexity;
                vectors[form] = [.. ml.Data.CreateEnumerable<FeatureRow>(testFeatures, reuseRowObject: false).Select(row => row.Features)];
                sums[form] = (sums[form].Accuracy + metrics.Accuracy, sums[form].Auc + metrics.AreaUnderRocCurve);
                Console.WriteLine($"{seed,4} {form,-10} {metrics.Accuracy,9:P1} {metrics.AreaUnderRocCurve,6:F3} {perplexity,10:F2}");
            }
            if (vectors.TryGetValue("text", out float[][]? text) && vectors.TryGetValue("keys-freq", out float[][]? keys))
                Console.WriteLine($"     text and keys-freq test vectors bit for bit the same: {text.Zip(keys).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second))}");
        }
        foreach (string form in forms)
            Console.WriteLine($"mean {form,-10} {sums[form].Accuracy / seeds.Length,9:P1} {sums[form].Auc / seeds.Length,6:F3}");
    }

    /// <summary>The reviews' words, most frequent first, ties in ordinal order: the order the text vocabulary numbers them in.</summary>
    private static IEnumerable<WordRow> ByFrequency(IEnumerable<ReviewRow> reviews) => reviews
        .SelectMany(review => review.Text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .GroupBy(word => word)
        .OrderByDescending(group => group.Count())
        .ThenBy(group => group.Key, StringComparer.Ordinal)
        .Select(group => new WordRow { Tokens = group.Key });
}
