using System.Diagnostics;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `profile` mode: runs one case of the `shapes` mode in a loop for a while, to be sampled by a profiler:
/// <code>DOTNET_PerfMapEnabled=1 perf record -e cpu-clock -g dotnet …Benchmarks.dll profile --case lstm-a --work infer</code>
/// Cases are those of compare.sh (lstm-a, gru-c, lstm-bi-b, …) and <c>latency</c> (with <c>--precision float32|bfloat16|int8</c>
/// and <c>--threads</c>; it also prints the fastest tenth of its calls' wall times, which moves least with other work); work is train or infer;
/// <c>--batch</c> and <c>--steps</c> change the shape's batch size and sequence length; <c>--checksum</c> runs the work
/// three times instead and prints a hash of every parameter's and output's bits (two builds give the same hash only
/// if they compute the same bits).
/// </summary>
internal static class ProfileRunner
{
    public static void Run(string[] args)
    {
        string name = ShapesRunner.StringOption(args, "--case", "latency");
        string work = ShapesRunner.StringOption(args, "--work", "infer");
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 10);
        Action action;
        var calls = new List<double>();
        string logit = "";
        if (name == "latency")
        {
            var latency = new SingleSequenceLatency(SingleSequenceLatency.ParseFormat(ShapesRunner.StringOption(args, "--precision", "float32")), threads);
            action = () =>
            {
                long start = Stopwatch.GetTimestamp();
                latency.Predict();
                calls.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                logit = $", logit {latency.Logit:R}";
            };
        }
        else
        {
            int dash = name.LastIndexOf('-');
            string kind = name[..dash];
            var (input, hidden, layers, batch, steps) = RecurrentShape.Shapes[name[(dash + 1)..]];
            batch = ShapesRunner.IntOption(args, "--batch", batch);
            steps = ShapesRunner.IntOption(args, "--steps", steps);
            CellType cell = kind.StartsWith("gru", StringComparison.Ordinal) ? CellType.Gru : CellType.Lstm;
            var shape = new RecurrentShape(cell, kind.EndsWith("-bi", StringComparison.Ordinal), input, hidden, layers, batch, steps, threads);
            action = work == "train" ? shape.TrainStep : shape.Infer;
            if (args.Contains("--checksum"))
            {
                for (int call = 0; call < 3; call++)
                    action();
                Console.WriteLine($"{name} {work} threads {threads}: checksum {shape.Checksum():x16}");
                return;
            }
        }

        action();
        calls.Clear();
        int count = 0;
        // CPU time beside wall time: on a machine shared with other work the process's own CPU time per call moves
        // less with the others' load (it still counts workers spinning while they wait).
        TimeSpan processorBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            action();
            count++;
        }
        double processor = (Process.GetCurrentProcess().TotalProcessorTime - processorBefore).TotalMilliseconds * 1000 / count;
        calls.Sort();
        string fastest = calls.Count > 0 ? $", {calls[0]:F1} µs fastest, {calls[calls.Count / 10]:F1} µs at the 10th percentile, {calls[calls.Count / 2]:F1} µs median" : "";
        Console.WriteLine($"{name} {work}: {count} calls, {clock.Elapsed.TotalMilliseconds * 1000 / count:F1} µs per call, {processor:F1} µs of CPU per call{fastest}{logit}");
    }
}
