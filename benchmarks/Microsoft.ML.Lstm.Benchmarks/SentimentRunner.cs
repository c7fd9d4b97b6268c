using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `e2e` mode (issue #4, item 4): trains the sentiment network on <c>{data}/train.tsv</c> with the engine
/// directly and prints the wall time of training and the accuracy on <c>{data}/test.tsv</c> as JSON lines.
/// benchmarks/pytorch_sentiment.py trains the same network with the same tokens, vocabulary and schedule:
/// embedding 64 → bidirectional LSTM 64 → additive attention pooling → dropout 0.3 → one logit, BCE with
/// logits, Adam 3e-3, batch 32, clipping at norm 5, 5 epochs, no validation and no early stopping.
/// </summary>
internal static partial class SentimentRunner
{
    /// <summary>Runs one training; options <c>--data DIR</c>, <c>--threads</c>, <c>--epochs</c>, <c>--seed</c>.</summary>
    public static void Run(string[] args)
    {
        string data = ShapesRunner.StringOption(args, "--data", "../shared/data/sentiment");
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        int epochs = ShapesRunner.IntOption(args, "--epochs", 5);
        int seed = ShapesRunner.IntOption(args, "--seed", 1);

        var (trainTexts, trainLabels) = ReadTsv(Path.Combine(data, "train.tsv"));
        var (testTexts, testLabels) = ReadTsv(Path.Combine(data, "test.tsv"));
        // Ids in order of first appearance in the training split; every unseen word shares one extra id.
        var vocabulary = new Dictionary<string, int>();
        foreach (string text in trainTexts)
        {
            foreach (string word in Tokenize(text))
                vocabulary.TryAdd(word, vocabulary.Count);
        }
        int unknown = vocabulary.Count;
        List<SequenceExample> training = Examples(trainTexts, trainLabels, vocabulary, unknown);
        List<SequenceExample> test = Examples(testTexts, testLabels, vocabulary, unknown);

        var spec = new NetworkSpec(
            new EncoderSpec
            {
                Input = SequenceInputKind.Tokens, VocabularySize = unknown + 1, EmbeddingSize = 64,
                Cell = CellType.Lstm, HiddenSize = 64, Bidirectional = true, Merge = MergeMode.Concat, Dropout = 0.3,
            },
            new PooledHeadSpec { Pooling = PoolingMode.Attention, OutputSize = 1, Loss = LossKind.SigmoidBinaryCrossEntropy, Dropout = 0.3 });
        var options = new TrainingOptions
        {
            Epochs = epochs, BatchSize = 32, LearningRate = 3e-3,
            GradientClipNorm = 5, EarlyStoppingPatience = 0, LearningRateDecayFactor = 1, ValidationFraction = 0,
            Threads = threads, Seed = seed,
        };
        var clock = Stopwatch.StartNew();
        var network = new SequenceNetwork<float>(spec, seed, threads);
        new NetworkTrainer<float>(network, options).Train(training);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        double accuracy = new NetworkTrainer<float>(network, options).Evaluate(test).Accuracy ?? double.NaN;

        Console.Error.WriteLine($"# Microsoft.ML.Lstm sentiment: {training.Count} train, {test.Count} test, vocabulary {unknown + 1}, threads {threads}, seed {seed}");
        Emit("train_seconds", trainSeconds);
        Emit("test_accuracy", accuracy);
    }

    /// <summary>Lower-cased runs of letters, digits and apostrophes; pytorch_sentiment.py uses the same pattern.</summary>
    private static IEnumerable<string> Tokenize(string text) => Word().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    [GeneratedRegex("[a-z0-9']+")]
    private static partial Regex Word();

    private static List<SequenceExample> Examples(List<string> texts, List<float> labels, Dictionary<string, int> vocabulary, int unknown)
    {
        var examples = new List<SequenceExample>(texts.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            int[] tokens = Tokenize(texts[i]).Select(w => vocabulary.GetValueOrDefault(w, unknown)).ToArray();
            // A text with no word at all still needs one step; both engines give it the unknown id.
            examples.Add(SequenceExample.FromTokens(tokens.Length > 0 ? tokens : [unknown], [labels[i]]));
        }
        return examples;
    }

    /// <summary>Reads a header line (Text, Label) and then one text and its 0/1 label per line.</summary>
    private static (List<string> Texts, List<float> Labels) ReadTsv(string path)
    {
        var texts = new List<string>();
        var labels = new List<float>();
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            int tab = line.LastIndexOf('\t');
            if (tab < 0)
                continue;
            texts.Add(line[..tab]);
            labels.Add(float.Parse(line[(tab + 1)..], CultureInfo.InvariantCulture));
        }
        return (texts, labels);
    }

    private static void Emit(string metric, double value) =>
        Console.WriteLine(JsonSerializer.Serialize(new { engine = "mlnet-lstm", @case = "sentiment", metric, value }));
}
