using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `load` mode: what it costs to read a saved network and to make a scoring copy of it (what each new
/// PredictionEngine and each scoring thread does), beside what building the same network with its initialisation
/// costs (what loading did before networks were read straight from the file); then the same through ML.NET: a
/// saved binary classifier loaded with <c>mlContext.Model.Load</c>, a PredictionEngine made from it, its first prediction.
/// </summary>
/// <remarks>
/// The network is the binary trainer's default shape at a larger hidden size: tokens of a 7,000-word vocabulary
/// embedded in 64, a bidirectional LSTM, max pooling and one output. Each figure is the median of the rounds.
/// </remarks>
internal static class LoadRunner
{
    public static void Run(string[] args)
    {
        int rounds = ShapesRunner.IntOption(args, "--rounds", 5);
        int[] hiddenSizes = ShapesRunner.StringOption(args, "--hidden", "256,1024").Split(',').Select(int.Parse).ToArray();
        Console.WriteLine($"rounds {rounds}");
        var mlnet = new List<(int Hidden, (double, double, double) Times)>();
        Console.WriteLine("| hidden | file (MB) | build with initialisation (ms) | load from the file (ms) | scoring copy (ms) | first prediction after load, packing the weights (ms) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (int hidden in hiddenSizes)
        {
            var spec = new NetworkSpec(
                new EncoderSpec { Input = SequenceInputKind.Tokens, VocabularySize = 7001, EmbeddingSize = 64, HiddenSize = hidden, Bidirectional = true },
                new PooledHeadSpec { Pooling = PoolingMode.Max, OutputSize = 1, Loss = LossKind.SigmoidBinaryCrossEntropy });
            SequenceNetwork<float>? network = null;
            double build = Median(rounds, () => network = new SequenceNetwork<float>(spec, seed: 1, threads: 2));

            var file = new ModelFileWriter();
            NetworkSerializer.Write(file, network!);
            var bytes = new MemoryStream();
            file.WriteTo(bytes);

            var batch = SequenceBatch<float>.FromTokens([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
            var loads = new double[rounds];
            var firsts = new double[rounds];
            SequenceNetwork<float>? loaded = null;
            for (int r = 0; r < rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                loaded = NetworkSerializer.Read(ModelFile.Read(new MemoryStream(bytes.ToArray(), writable: false), int.MaxValue), threads: 1);
                loads[r] = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                loaded.Predict(batch);
                firsts[r] = clock.Elapsed.TotalMilliseconds;
            }
            double load = Median(loads), first = Median(firsts);
            double copy = Median(rounds, () => loaded!.CloneForInference());
            Console.WriteLine($"| {hidden} | {bytes.Length / 1e6:F1} | {build:F0} | {load:F0} | {copy:F0} | {first:F1} |");
            mlnet.Add((hidden, MeasureThroughMLNet(network!, rounds)));
        }
        Console.WriteLine();
        Console.WriteLine("| hidden | mlContext.Model.Load (ms) | CreatePredictionEngine (ms) | first Predict (ms) |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (var (hidden, (load, engine, first)) in mlnet)
            Console.WriteLine($"| {hidden} | {load:F0} | {engine:F0} | {first:F1} |");
    }

    private sealed class Row
    {
        [KeyType(Vocabulary - 1), VectorType]
        public uint[] Tokens { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }

    private const int Vocabulary = 7001;

    /// <summary>Medians of loading the network as a saved ML.NET binary classifier, making a PredictionEngine and predicting once.</summary>
    private static (double Load, double Engine, double First) MeasureThroughMLNet(SequenceNetwork<float> network, int rounds)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable([new Row { Tokens = [1, 2, 3] }]);
        var transformer = new SequenceBinaryClassificationTransformer(
            ml, SequenceModel.FromNetwork(network), new SequenceFeatures("Tokens", SequenceInput.TokenKeys(Vocabulary - 1), 0));
        string path = Path.Combine(Path.GetTempPath(), $"load-benchmark-{Environment.ProcessId}.zip");
        try
        {
            ml.Model.Save(transformer, data.Schema, path);
            var loads = new double[rounds];
            var engines = new double[rounds];
            var firsts = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                var context = new MLContext();
                var clock = Stopwatch.StartNew();
                ITransformer loaded = context.Model.Load(path, out _);
                loads[r] = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                var engine = context.Model.CreatePredictionEngine<Row, Prediction>(loaded);
                engines[r] = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                engine.Predict(new Row { Tokens = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
                firsts[r] = clock.Elapsed.TotalMilliseconds;
            }
            return (Median(loads), Median(engines), Median(firsts));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double Median(int rounds, Action action)
    {
        var times = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[r] = clock.Elapsed.TotalMilliseconds;
        }
        return Median(times);
    }

    private static double Median(double[] times)
    {
        Array.Sort(times);
        return times[times.Length / 2];
    }
}
