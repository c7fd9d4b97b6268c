using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `onnx` mode: a binary classifier exported with <c>mlContext.Model.ConvertToOnnx</c> and scored by ONNX Runtime,
/// beside the package's own engine on the same network, side by side in one run: one sequence at a time (latency), a
/// batch of sequences of mixed lengths (throughput: the package's packed batch, ONNX Runtime's padded batch with
/// <c>sequence_lens</c>), and one row through ML.NET (the package's PredictionEngine against ApplyOnnxModel's).
/// </summary>
/// <remarks>
/// The network is the binary trainer's default shape at hidden size <c>--hidden</c>: tokens of a 7,000-word vocabulary
/// embedded in 64, a bidirectional LSTM, max pooling, one output. ONNX Runtime runs with <c>--threads</c> intra-op
/// threads (sequential execution), the package's network with as many for a batch; one sequence is scored by the
/// package's one-thread scoring copy, as its transformers score. The two engines are measured in alternating
/// rounds (<c>--rounds</c>, each the median of at least <c>--repeats</c> calls and 0.2 s); each figure is the median round.
/// With <c>--text</c>, the same network read from a raw text column follows (<see cref="OnnxTextCases"/>).
/// </remarks>
internal static class OnnxRunner
{
    private const int Vocabulary = 7001;

    public static void Run(string[] args)
    {
        int hidden = ShapesRunner.IntOption(args, "--hidden", 128);
        int threads = ShapesRunner.IntOption(args, "--threads", 1);
        int batchSize = ShapesRunner.IntOption(args, "--batch", 256);
        int repeats = ShapesRunner.IntOption(args, "--repeats", 10);
        int rounds = ShapesRunner.IntOption(args, "--rounds", 7);
        var spec = new NetworkSpec(
            new EncoderSpec { Input = SequenceInputKind.Tokens, VocabularySize = Vocabulary, EmbeddingSize = 64, HiddenSize = hidden, Bidirectional = true },
            new PooledHeadSpec { Pooling = PoolingMode.Max, OutputSize = 1, Loss = LossKind.SigmoidBinaryCrossEntropy });
        var network = new SequenceNetwork<float>(spec, seed: 1, threads);
        var ml = new MLContext(seed: 1);
        // ApplyOnnxModel's sessions with the same threads as the raw session (ONNX Runtime's default is one spinning thread per core).
        ml.SetOnnxSessionOption(new OnnxSessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL });
        var transformer = new SequenceBinaryClassificationTransformer(
            ml, SequenceModel.FromNetwork(network), new SequenceFeatures("Tokens", SequenceInput.TokenKeys(Vocabulary - 1), 0));
        var random = new Random(1);
        int[][] sequences = [.. Enumerable.Range(0, batchSize).Select(_ => Enumerable.Range(0, 8 + random.Next(57)).Select(_ => random.Next(Vocabulary - 1)).ToArray())];
        int[] single = [.. Enumerable.Range(0, 32).Select(_ => random.Next(Vocabulary - 1))];

        byte[] onnx;
        using (var stream = new MemoryStream())
        {
            ml.Model.ConvertToOnnx(transformer, ml.Data.LoadFromEnumerable([new Row { Tokens = [1, 2, 3] }]), stream);
            onnx = stream.ToArray();
        }
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var session = new InferenceSession(onnx, options);

        Console.WriteLine($"bidirectional LSTM, embedding 64, hidden {hidden}, max pooling; ONNX Runtime on {threads} thread(s); the package on 1 for one sequence (its scoring copy), on {threads} for the batch of {batchSize} sequences of 8 to 64 tokens ({sequences.Sum(s => s.Length)} in all); median of {rounds} alternating rounds");
        Console.WriteLine("| case | Microsoft.ML.Lstm | ONNX Runtime | ONNX Runtime / package |");
        Console.WriteLine("|---|---:|---:|---:|");

        // Engine to engine. One sequence: the package's scoring copy (one thread: what each scoring thread of a transformer
        // runs) against the session. A batch: the network on --threads threads against the session on as many.
        SequenceNetwork<float> scoring = network.CloneForInference();

        // One sequence of 32 tokens.
        var oneBatch = SequenceBatch<float>.FromTokens([single]);
        var oneInput = new[] { NamedOnnxValue.CreateFromTensor("Tokens", new DenseTensor<uint>(single.Select(t => (uint)t + 1).ToArray(), [1, single.Length])) };
        (double packageOne, double onnxOne) = SideBySide(() => scoring.Predict(oneBatch), () => { using var _ = session.Run(oneInput, ["Score.output"]); }, rounds, repeats * 10);
        Print("one sequence of 32 tokens (µs)", packageOne * 1e6, onnxOne * 1e6);

        // A batch of mixed lengths: the package's packed batch against one padded tensor with lengths from the pad key.
        var batch = SequenceBatch<float>.FromTokens(sequences);
        int width = sequences.Max(s => s.Length);
        var padded = new uint[batchSize * width];
        Array.Fill(padded, SequenceOnnxInput.TokenPadKey);
        for (int i = 0; i < batchSize; i++)
        {
            for (int t = 0; t < sequences[i].Length; t++)
                padded[i * width + t] = (uint)sequences[i][t] + 1;
        }
        var batchInput = new[] { NamedOnnxValue.CreateFromTensor("Tokens", new DenseTensor<uint>(padded, [batchSize, width])) };
        (double packageBatch, double onnxBatch) = SideBySide(() => network.Predict(batch), () => { using var _ = session.Run(batchInput, ["Score.output"]); }, rounds, repeats);
        Print($"batch of {batchSize} sequences (sequences/s)", batchSize / packageBatch, batchSize / onnxBatch, higherIsBetter: true);

        // One row through ML.NET: PredictionEngine over the package's transformer, and over ApplyOnnxModel.
        IDataView schema = ml.Data.LoadFromEnumerable([new Row { Tokens = [1, 2, 3] }]);
        var packageEngine = ml.Model.CreatePredictionEngine<Row, Prediction>(transformer);
        using var onnxStream = new MemoryStream(onnx);
        ITransformer applied = ml.Transforms.ApplyOnnxModel(onnxStream).Fit(schema);
        var onnxEngine = ml.Model.CreatePredictionEngine<Row, OnnxPrediction>(applied);
        var row = new Row { Tokens = [.. single.Select(t => (uint)t + 1)] };
        (double packageEngineTime, double onnxEngineTime) = SideBySide(() => packageEngine.Predict(row), () => onnxEngine.Predict(row), rounds, repeats * 10);
        Print("PredictionEngine, one row of 32 tokens (µs)", packageEngineTime * 1e6, onnxEngineTime * 1e6);

        if (args.Contains("--text"))
            OnnxTextCases.Run(network, Vocabulary - 1, threads, batchSize, rounds, repeats);
    }

    /// <summary>
    /// Medians of <paramref name="package"/> and <paramref name="onnx"/> measured in alternating rounds (each round the
    /// median of at least <paramref name="repeats"/> calls and 0.2 s), so that a busy machine slows both alike.
    /// </summary>
    internal static (double Package, double Onnx) SideBySide(Action package, Action onnx, int rounds, int repeats)
    {
        var packageTimes = new double[rounds];
        var onnxTimes = new double[rounds];
        // Warm-up past the JIT's tiering (and ONNX Runtime's first-run allocations) before anything is kept.
        ShapesRunner.MedianSeconds(package, repeats, 1.0);
        ShapesRunner.MedianSeconds(onnx, repeats, 1.0);
        for (int r = 0; r < rounds; r++)
        {
            packageTimes[r] = ShapesRunner.MedianSeconds(package, repeats, 0.2);
            onnxTimes[r] = ShapesRunner.MedianSeconds(onnx, repeats, 0.2);
        }
        Array.Sort(packageTimes);
        Array.Sort(onnxTimes);
        return (packageTimes[rounds / 2], onnxTimes[rounds / 2]);
    }

    private static void Print(string name, double package, double onnx, bool higherIsBetter = false) =>
        Console.WriteLine($"| {name} | {package:F1} | {onnx:F1} | {onnx / package:F2}{(higherIsBetter ? " (higher is faster)" : " (higher is slower)")} |");

    private sealed class Row
    {
        [KeyType(Vocabulary - 1), VectorType]
        public uint[] Tokens { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }

    /// <summary>ApplyOnnxModel's Score: the graph output [1, 1] of a row.</summary>
    private sealed class OnnxPrediction
    {
        public float[] Score { get; set; } = [];
    }
}
