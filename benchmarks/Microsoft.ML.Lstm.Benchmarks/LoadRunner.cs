using System.Diagnostics;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `load` mode: what it costs to read a saved network and to make a scoring copy of it (what each new
/// PredictionEngine and each scoring thread does), beside what building the same network with its initialisation
/// costs (what loading did before networks were read straight from the file).
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
