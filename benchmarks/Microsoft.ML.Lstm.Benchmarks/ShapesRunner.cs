using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `shapes` mode: measures the cases of benchmarks/pytorch_peer.py with a plain stopwatch (median of
/// repeated runs after a warm-up) and prints the same JSON lines, so compare.sh can put them side by side.
/// BenchmarkDotNet's classes in this project measure the same work with its full rigour. <c>--ragged</c> gives each batch
/// sequences of uneven lengths (<see cref="RecurrentShape.RaggedLengths"/>), as the peer's <c>--ragged</c> does.
/// </summary>
internal static class ShapesRunner
{
    public static void Run(string[] args)
    {
        int threads = IntOption(args, "--threads", 2);
        double seconds = DoubleOption(args, "--seconds", 1.0);
        int repeats = IntOption(args, "--repeats", 5);
        string[] shapes = StringOption(args, "--shapes", "a,b,c").Split(',');
        string[] kinds = StringOption(args, "--kinds", "lstm,gru,lstm-bi").Split(',');
        bool ragged = args.Contains("--ragged");
        Console.Error.WriteLine($"# Microsoft.ML.Lstm, threads {threads}, {Environment.ProcessorCount} processors");
        foreach (string kind in kinds)
        {
            bool bidirectional = kind.EndsWith("-bi", StringComparison.Ordinal);
            CellType cell = kind.StartsWith("gru", StringComparison.Ordinal) ? CellType.Gru : CellType.Lstm;
            foreach (string shape in shapes)
            {
                var (input, hidden, layers, batch, steps) = RecurrentShape.Shapes[shape];
                var bench = new RecurrentShape(cell, bidirectional, input, hidden, layers, batch, steps, threads, ragged);
                string name = $"{kind}-{shape}";
                // Each figure twice: at the median call, and at the fastest (compare.sh's second table).
                foreach ((string metric, Action action) in new (string, Action)[] { ("training_steps_per_s", bench.TrainStep), ("inference_steps_per_s", bench.Infer) })
                {
                    (double median, double fastest) = Seconds(action, repeats, seconds);
                    Emit(name, metric, bench.StepsPerBatch / median);
                    Emit(name, "fastest_" + metric, bench.StepsPerBatch / fastest);
                }
            }
        }
        var latency = new SingleSequenceLatency(format: null, threads);
        (double latencyMedian, double latencyFastest) = Seconds(latency.Predict, repeats * 20, seconds);
        Emit("lstm-latency", "latency_us", latencyMedian * 1e6);
        Emit("lstm-latency", "fastest_latency_us", latencyFastest * 1e6);
    }

    /// <summary>Median seconds of one call to <paramref name="action"/>, after a warm-up, over at least <paramref name="repeats"/> calls and <paramref name="seconds"/>.</summary>
    internal static double MedianSeconds(Action action, int repeats, double seconds) => Seconds(action, repeats, seconds).Median;

    /// <summary>The median and the fastest seconds of one call to <paramref name="action"/>, as <see cref="MedianSeconds"/> times them.</summary>
    internal static (double Median, double Fastest) Seconds(Action action, int repeats, double seconds)
    {
        action();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < repeats || total.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        times.Sort();
        return (times[times.Count / 2], times[0]);
    }

    private static void Emit(string name, string metric, double value) =>
        Console.WriteLine(JsonSerializer.Serialize(new { engine = "mlnet-lstm", @case = name, metric, value }));

    internal static string StringOption(string[] args, string name, string fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    internal static int IntOption(string[] args, string name, int fallback) => int.Parse(StringOption(args, name, fallback.ToString()));

    internal static double DoubleOption(string[] args, string name, double fallback) =>
        double.Parse(StringOption(args, name, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);
}
