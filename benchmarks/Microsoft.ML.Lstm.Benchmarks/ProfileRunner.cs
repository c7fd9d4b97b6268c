using System.Diagnostics;
using Microsoft.ML.Lstm.Numerics;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `profile` mode: runs one case of the `shapes` mode in a loop for a while, to be sampled by a profiler:
/// <code>DOTNET_PerfMapEnabled=1 perf record -e cpu-clock -g dotnet …Benchmarks.dll profile --case lstm-a --work infer</code>
/// Cases are those of compare.sh (lstm-a, gru-c, lstm-bi-b, …; inference takes <c>--precision</c> too) and <c>latency</c> (with <c>--precision float32|bfloat16|int8</c>
/// and <c>--threads</c>; it also prints the 10th percentile and the median of its calls' wall times and the logit); work is train or infer;
/// <c>--batch</c> and <c>--steps</c> change the shape's batch size and sequence length, <c>--ragged</c> spreads the sequences'
/// lengths from a tenth of the steps to all of them (<see cref="RecurrentShape.RaggedLengths"/>); <c>--checksum</c> runs the work
/// three times instead and prints a hash of every parameter's and output's bits (two builds give the same hash only
/// if they compute the same bits). Beside the mean wall and process CPU time per call it prints the fastest call and,
/// on Linux, the least CPU time the calling thread spent in one call (all of the work with one thread).
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
        var latencyCalls = new List<double>();
        string logit = "";
        if (name == "latency")
        {
            var latency = new SingleSequenceLatency(SingleSequenceLatency.ParseFormat(ShapesRunner.StringOption(args, "--precision", "float32")), threads);
            action = () =>
            {
                long start = Stopwatch.GetTimestamp();
                latency.Predict();
                latencyCalls.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
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
            var shape = new RecurrentShape(
                cell, kind.EndsWith("-bi", StringComparison.Ordinal), input, hidden, layers, batch, steps, threads, args.Contains("--ragged"));
            if (SingleSequenceLatency.ParseFormat(ShapesRunner.StringOption(args, "--precision", "float32")) is WeightFormat format)
            {
                if (work == "train")
                    throw new ArgumentException("--precision applies to --work infer: training runs on the float weights.");
                shape.Compress(format);
            }
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
        latencyCalls.Clear();
        int calls = 0;
        // The fastest call and, on Linux, the least CPU time the calling thread spent in one call: on a loaded machine
        // the nearest to what the code costs (with one thread the calling thread does all the work).
        double fastest = double.MaxValue, leastThread = double.MaxValue;
        bool threadClock = OperatingSystem.IsLinux();
        // CPU time beside wall time: on a machine shared with other work the process's own CPU time per call moves
        // less with the others' load (it still counts workers spinning while they wait).
        TimeSpan processorBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            double threadStart = threadClock ? GemmRunner.ThreadSeconds() : 0;
            action();
            if (threadClock)
                leastThread = Math.Min(leastThread, GemmRunner.ThreadSeconds() - threadStart);
            fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(start).TotalSeconds);
            calls++;
        }
        double processor = (Process.GetCurrentProcess().TotalProcessorTime - processorBefore).TotalMilliseconds * 1000 / calls;
        string least = threadClock ? $", least {leastThread * 1e6:F1} µs of the calling thread's CPU in one call" : "";
        latencyCalls.Sort();
        string spread = latencyCalls.Count > 0 ? $", {latencyCalls[latencyCalls.Count / 10]:F1} µs at the 10th percentile, {latencyCalls[latencyCalls.Count / 2]:F1} µs median" : "";
        Console.WriteLine($"{name} {work}: {calls} calls, {clock.Elapsed.TotalMilliseconds * 1000 / calls:F1} µs per call, {processor:F1} µs of CPU per call, fastest call {fastest * 1e6:F1} µs{least}{spread}{logit}");
    }
}
