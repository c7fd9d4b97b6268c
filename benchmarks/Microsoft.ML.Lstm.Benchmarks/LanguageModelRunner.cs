using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `lm` mode (issue #11): trains a one-directional LSTM language model with the engine directly (the network
/// <c>FeaturizeByLstm</c> trains with <c>Bidirectional = false</c>) and prints, as JSON lines, the training tokens per
/// second, the held-out bits per token, and the generation tokens per second through the step-at-a-time path.
/// benchmarks/pytorch_lm.py trains the same network. The text: <c>--level char</c> reads the file as characters in
/// pieces of <c>--length</c> (tinyshakespeare); <c>--level word</c> reads each line as a sentence of lower-cased words
/// (a trailing TAB and label dropped: the UCI sentences). The first 90 % trains, the last 10 % is held out; the
/// training part is cut to <c>--tokens</c>. Network: embedding → LSTM → linear → softmax over the vocabulary,
/// Adam, batch 32, clipping at norm 5, one pass. <c>--softmax adaptive</c> puts an adaptive softmax in the softmax's
/// place (the tokens ranked by their training counts; <c>--cutoffs 500,2000</c>, or by default the featurizer's automatic
/// cutoffs), as PyTorch's <c>nn.AdaptiveLogSoftmaxWithLoss</c> in the peer. <c>--seconds S</c> trains for S seconds
/// (as many passes as fit, stopping after the batch that crosses S) instead of <c>--epochs</c>, for a figure at equal
/// training time.
/// </summary>
internal static class LanguageModelRunner
{
    /// <summary>Options <c>--text FILE</c>, <c>--level char|word</c>, <c>--threads</c>, <c>--hidden</c>, <c>--embedding</c>, <c>--length</c>, <c>--tokens</c>, <c>--epochs</c>, <c>--seed</c>, <c>--softmax full|adaptive</c>, <c>--cutoffs</c>, <c>--seconds</c>.</summary>
    public static void Run(string[] args)
    {
        string path = ShapesRunner.StringOption(args, "--text", "../shared/data/text/tinyshakespeare.txt");
        string level = ShapesRunner.StringOption(args, "--level", "char");
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        int hidden = ShapesRunner.IntOption(args, "--hidden", 256);
        int embedding = ShapesRunner.IntOption(args, "--embedding", 64);
        int length = ShapesRunner.IntOption(args, "--length", 100);
        int tokenBudget = ShapesRunner.IntOption(args, "--tokens", 300_000);
        int epochs = ShapesRunner.IntOption(args, "--epochs", 1);
        int seed = ShapesRunner.IntOption(args, "--seed", 1);
        string softmax = ShapesRunner.StringOption(args, "--softmax", "full");
        string cutoffText = ShapesRunner.StringOption(args, "--cutoffs", "");
        double seconds = double.Parse(ShapesRunner.StringOption(args, "--seconds", "0"), System.Globalization.CultureInfo.InvariantCulture);
        if (softmax is not ("full" or "adaptive"))
            throw new ArgumentException($"--softmax is full or adaptive, not '{softmax}'.");

        (List<int[]> train, List<int[]> heldOut, int vocabulary) = LanguageModelText.Read(path, level, length, tokenBudget);
        long[] counts = AdaptiveSoftmaxPlan.Counts(train, vocabulary);
        int[] cutoffs = softmax == "full" ? []
            : cutoffText.Length > 0 ? [.. cutoffText.Split(',').Select(int.Parse)]
            : AdaptiveSoftmaxPlan.AutomaticCutoffs(counts);
        var spec = new NetworkSpec(
            new EncoderSpec { Input = SequenceInputKind.Tokens, VocabularySize = vocabulary, EmbeddingSize = embedding, HiddenSize = hidden },
            new LanguageModelHeadSpec { OutputSize = vocabulary, Cutoffs = cutoffs, TokenRanking = cutoffs.Length > 0 ? AdaptiveSoftmaxPlan.Ranking(counts) : null });
        var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        long batchesRun = 0;
        var options = new TrainingOptions
        {
            Epochs = seconds > 0 ? 100_000 : epochs, BatchSize = 32, LearningRate = 2e-3, GradientClipNorm = 5, EarlyStoppingPatience = 0,
            LearningRateDecayFactor = 1, ValidationFraction = 0, Threads = threads, Seed = seed,
            CancellationToken = stop.Token,
            BatchDone = (_, _) =>
            {
                batchesRun++;
                if (seconds > 0 && clock.Elapsed.TotalSeconds >= seconds)
                    stop.Cancel();
            },
        };
        var examples = train.Select(tokens => SequenceExample.FromTokens(tokens, [])).ToList();
        var network = new SequenceNetwork<float>(spec, seed, threads);
        var trainer = new NetworkTrainer<float>(network, options);
        try
        {
            trainer.Train(examples);
        }
        catch (OperationCanceledException) when (seconds > 0)
        {
            // The time budget ran out: the network holds the weights after the last batch.
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        long trainingTokens = seconds > 0 ? 0 : train.Sum(t => (long)t.Length) * epochs;
        double heldOutLoss = trainer.Evaluate(heldOut.Select(tokens => SequenceExample.FromTokens(tokens, [])).ToList()).Loss;

        var generator = new TokenGenerator(EncoderTransplant.ForwardLanguageModel(network));
        const int generated = 2000;
        generator.Generate([train[0][0]], new GenerationOptions { MaxTokens = 50, Seed = seed }); // warm-up
        clock.Restart();
        int[] text = generator.Generate([train[0][0]], new GenerationOptions { MaxTokens = generated, Seed = seed });
        double generateSeconds = clock.Elapsed.TotalSeconds;

        string name = $"lm-{level}-V{vocabulary}-H{hidden}" + (cutoffs.Length > 0 ? $"-adaptive{string.Join('/', cutoffs)}" : "") + (seconds > 0 ? $"-{seconds:G}s" : "");
        Emit(name, "train_seconds", trainSeconds);
        if (seconds > 0)
            Emit(name, "train_batches", batchesRun);
        else
            Emit(name, "train_tokens_per_s", trainingTokens / trainSeconds);
        Emit(name, "heldout_bits_per_token", heldOutLoss / Math.Log(2));
        Emit(name, "generate_tokens_per_s", text.Length / generateSeconds);
    }

    private static void Emit(string name, string metric, double value) =>
        Console.WriteLine(JsonSerializer.Serialize(new { engine = "mlnet-lstm", @case = name, metric, value }));
}
