using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `tagging` mode (issue #9, item 6): trains a BiLSTM tagger on <c>{data}/wnut17-train.conll</c> with the engine
/// directly and prints, as JSON lines, the training tokens per second, the training wall time, the tagging
/// throughput on <c>{data}/wnut17-test.conll</c> and its token accuracy. benchmarks/pytorch_tagger.py trains the
/// same network: words (as written; the training split's words, one id for unseen words) → embedding 64 →
/// bidirectional LSTM 64 → dropout 0.3 → per-token scores → softmax (or a linear-chain CRF with <c>--crf</c>),
/// Adam 3e-3, batch 32, clipping at norm 5, a fixed number of epochs, no validation.
/// </summary>
internal static class TaggingRunner
{
    /// <summary>Options <c>--data DIR</c>, <c>--threads</c>, <c>--epochs</c>, <c>--seed</c>, <c>--crf</c>.</summary>
    public static void Run(string[] args)
    {
        string data = ShapesRunner.StringOption(args, "--data", "../shared/data/ner");
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        int epochs = ShapesRunner.IntOption(args, "--epochs", 3);
        int seed = ShapesRunner.IntOption(args, "--seed", 1);
        bool crf = args.Contains("--crf");

        var train = ReadConll(Path.Combine(data, "wnut17-train.conll"));
        var test = ReadConll(Path.Combine(data, "wnut17-test.conll"));
        var words = new Dictionary<string, int>();
        var tags = new Dictionary<string, int>();
        foreach (var (tokens, labels) in train)
        {
            foreach (string token in tokens)
                words.TryAdd(token, words.Count);
            foreach (string label in labels)
                tags.TryAdd(label, tags.Count);
        }
        int unknown = words.Count;
        List<SequenceExample> Examples(List<(string[] Tokens, string[] Tags)> sentences) =>
            sentences.Select(s => SequenceExample.FromTokens(
                [.. s.Tokens.Select(t => words.GetValueOrDefault(t, unknown))],
                [.. s.Tags.Select(t => (float)tags.GetValueOrDefault(t, tags["O"]))])).ToList();
        List<SequenceExample> training = Examples(train), testing = Examples(test);

        var encoder = new EncoderSpec { Input = SequenceInputKind.Tokens, VocabularySize = unknown + 1, EmbeddingSize = 64, HiddenSize = 64, Bidirectional = true };
        HeadSpec head = crf ? new CrfHeadSpec { ClassCount = tags.Count, Dropout = 0.3 } : new StepSoftmaxHeadSpec { ClassCount = tags.Count, Dropout = 0.3 };
        var options = new TrainingOptions
        {
            Epochs = epochs, BatchSize = 32, LearningRate = 3e-3, GradientClipNorm = 5, EarlyStoppingPatience = 0,
            LearningRateDecayFactor = 1, ValidationFraction = 0, Threads = threads, Seed = seed,
        };
        var clock = Stopwatch.StartNew();
        var network = new SequenceNetwork<float>(new NetworkSpec(encoder, head), seed, threads);
        var trainer = new NetworkTrainer<float>(network, options);
        trainer.Train(training);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        long trainingTokens = training.Sum(e => (long)e.Tokens!.Length) * epochs;

        clock.Restart();
        (double _, double? accuracy) = trainer.Evaluate(testing);
        double tagSeconds = clock.Elapsed.TotalSeconds;
        long testTokens = testing.Sum(e => (long)e.Tokens!.Length);

        string name = crf ? "tagger-crf" : "tagger-softmax";
        Emit(name, "train_seconds", trainSeconds);
        Emit(name, "train_tokens_per_s", trainingTokens / trainSeconds);
        Emit(name, "tag_tokens_per_s", testTokens / tagSeconds);
        Emit(name, "test_token_accuracy", accuracy ?? double.NaN);
    }

    private static void Emit(string name, string metric, double value) =>
        Console.WriteLine(JsonSerializer.Serialize(new { engine = "mlnet-lstm", @case = name, metric, value }));

    /// <summary>Sentences of a CoNLL file: token first, tag last, a blank line between sentences.</summary>
    internal static List<(string[] Tokens, string[] Tags)> ReadConll(string path)
    {
        var sentences = new List<(string[], string[])>();
        var tokens = new List<string>();
        var tags = new List<string>();
        foreach (string line in File.ReadLines(path).Append(""))
        {
            string[] fields = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && !fields[0].StartsWith("-DOCSTART-", StringComparison.Ordinal))
            {
                tokens.Add(fields[0]);
                tags.Add(fields[^1]);
            }
            else if (fields.Length == 0 && tokens.Count > 0)
            {
                sentences.Add(([.. tokens], [.. tags]));
                tokens.Clear();
                tags.Clear();
            }
        }
        return sentences;
    }
}
