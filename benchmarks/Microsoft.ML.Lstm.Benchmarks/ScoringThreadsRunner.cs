using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `scoring-threads` mode (issue #15): one sequence through <c>PredictionEngine.Predict</c> on a binary classifier
/// (random weights, seed 1; float steps) scored on each of several <c>WithScoringThreads</c> counts, alternated round by
/// round, so that each count meets the same machine. Per count: the fastest call, the tenth percentile and the median of
/// the calls' wall times, and the process's CPU time per call (the workers' spinning included), each the median over the
/// rounds; the scores are checked to be the same bits for every count.
/// </summary>
/// <remarks>
/// Cases (<c>--cases</c>, comma-separated): <c>latency</c> is the engine's one-row latency case (50 steps of 128 floats,
/// LSTM of hidden 128; <see cref="SingleSequenceLatency"/>) behind ML.NET's row machinery; <c>long</c> 200 steps of 32
/// floats through an LSTM of hidden 128; <c>bilstm</c> the same through a BiLSTM of hidden 64 (two threads run the two
/// directions side by side); <c>short</c> 12 steps of 32 floats through a BiLSTM of hidden 64, a sentence's length, where
/// threads are not expected to pay.
/// </remarks>
internal static class ScoringThreadsRunner
{
    public static void Run(string[] args)
    {
        string[] cases = ShapesRunner.StringOption(args, "--cases", "latency,long,bilstm,short").Split(',', StringSplitOptions.RemoveEmptyEntries);
        int[] threadCounts = [.. ShapesRunner.StringOption(args, "--threads", "1,2").Split(',').Select(int.Parse)];
        int rounds = ShapesRunner.IntOption(args, "--rounds", 5);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 1.0);

        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}, {CpuDescription.Current}, {Environment.ProcessorCount} logical processors, load average {LoadAverage()} before");
        Console.WriteLine($"# command: scoring-threads --cases {string.Join(',', cases)} --threads {string.Join(',', threadCounts)} --rounds {rounds} --seconds {seconds}");
        Console.WriteLine("# PredictionEngine.Predict on one row; per thread count the median over the rounds of: fastest call, 10th percentile, median, process CPU per call");
        Console.WriteLine("| case | scoring threads | fastest µs | 10th percentile µs | median µs | CPU µs per call | median against 1 thread | same bits as 1 thread |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (string name in cases)
            RunCase(name, threadCounts, rounds, seconds);
        Console.WriteLine($"# load average {LoadAverage()} after");
    }

    private static void RunCase(string name, int[] threadCounts, int rounds, double seconds)
    {
        (int steps, int features, int hidden, bool bidirectional) = name switch
        {
            "latency" => (50, 128, 128, false),
            "long" => (200, 32, 128, false),
            "bilstm" => (200, 32, 64, true),
            "short" => (12, 32, 64, true),
            _ => throw new ArgumentException($"Unknown case '{name}': expected latency, long, bilstm or short."),
        };
        var ml = new MLContext(seed: 1);
        var spec = new NetworkSpec(
            new EncoderSpec { Input = SequenceInputKind.Features, FeaturesPerStep = features, HiddenSize = hidden, Bidirectional = bidirectional },
            new PooledHeadSpec { OutputSize = 1, Loss = LossKind.SigmoidBinaryCrossEntropy });
        var trained = new SequenceBinaryClassificationTransformer(
            ml, SequenceModel.FromNetwork(new SequenceNetwork<float>(spec, seed: 1, threads: 1)), new SequenceFeatures("Features", SequenceInput.FloatSteps(features), 0));
        var random = new Random(2);
        var row = new Row { Features = [.. Enumerable.Range(0, steps * features).Select(_ => (float)(random.NextDouble() * 2 - 1))] };

        var engines = threadCounts.Select(threads =>
            ml.Model.CreatePredictionEngine<Row, Prediction>(trained.WithScoringThreads(threads), ignoreMissingColumns: true)).ToArray();
        int[] bits = [.. engines.Select(engine => BitConverter.SingleToInt32Bits(engine.Predict(row).Score))];
        foreach (var engine in engines)
            Measure(() => engine.Predict(row), Math.Max(1.0, seconds)); // past the JIT's tiers before anything is kept
        var samples = threadCounts.Select(_ => new List<Sample>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < engines.Length; i++)
                samples[i].Add(Measure(() => engines[i].Predict(row), seconds));
        }

        double oneThreadMedian = samples[Array.IndexOf(threadCounts, 1) is int one and >= 0 ? one : 0].Select(s => s.Median).Order().ElementAt(rounds / 2);
        for (int i = 0; i < engines.Length; i++)
        {
            double Median(Func<Sample, double> pick) => samples[i].Select(pick).Order().ElementAt(rounds / 2);
            double median = Median(s => s.Median);
            Console.WriteLine(
                $"| {name} ({steps} steps × {features}, {(bidirectional ? "BiLSTM" : "LSTM")} {hidden}) | {threadCounts[i]} | {Median(s => s.Fastest):F1} | {Median(s => s.Tenth):F1} | " +
                $"{median:F1} | {Median(s => s.CpuPerCall):F1} | {oneThreadMedian / median:F2}× | {(bits[i] == bits[0] ? "yes" : "NO")} |");
        }
        foreach (var engine in engines)
            engine.Dispose();
    }

    /// <summary>Calls <paramref name="call"/> for <paramref name="seconds"/> after a warm-up; wall time of each call and CPU time per call, in µs.</summary>
    private static Sample Measure(Action call, double seconds)
    {
        for (int i = 0; i < 20; i++)
            call();
        var times = new List<double>();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds || times.Count < 20)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / times.Count;
        times.Sort();
        return new Sample(times[0], times[times.Count / 10], times[times.Count / 2], cpu);
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private readonly record struct Sample(double Fastest, double Tenth, double Median, double CpuPerCall);

    private sealed class Row
    {
        [VectorType]
        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }
}
