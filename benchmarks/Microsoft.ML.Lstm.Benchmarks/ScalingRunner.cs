using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `scaling` mode (issue #4, item 3): how the cost of shape (a) — LSTM, input 128, hidden 256 — grows
/// with sequence length (batch 64) and with batch size (100 steps). Prints Markdown tables of time per
/// time step (one step of the whole batch) and per sequence-step (one step of one sequence), training
/// (forward, backward, Adam) and inference, then whether time per step stays flat across lengths.
/// </summary>
internal static class ScalingRunner
{
    private const int Input = 128, Hidden = 256, DefaultBatch = 64, DefaultSteps = 100;

    /// <summary>
    /// Runs both sweeps <c>--rounds</c> times, interleaved so that a burst of load on this shared machine
    /// hits one round rather than one row, and prints each figure's median over the rounds. Options:
    /// <c>--threads</c>, <c>--rounds</c>, <c>--seconds</c>, <c>--repeats</c>, <c>--lengths</c>, <c>--batches</c>.
    /// </summary>
    public static void Run(string[] args)
    {
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        int rounds = ShapesRunner.IntOption(args, "--rounds", 3);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 0.3);
        int repeats = ShapesRunner.IntOption(args, "--repeats", 3);
        int[] lengths = Sizes(ShapesRunner.StringOption(args, "--lengths", "50,100,200,500,1000"));
        int[] batches = Sizes(ShapesRunner.StringOption(args, "--batches", "1,8,32,64,128,256"));
        var shapes = lengths.Select(steps => (Batch: DefaultBatch, Steps: steps))
            .Concat(batches.Select(batch => (Batch: batch, Steps: DefaultSteps))).ToArray();

        // Tiered JIT: let the hot loops reach optimized code before anything is timed.
        var warmUp = new RecurrentShape(CellType.Lstm, false, Input, Hidden, 1, DefaultBatch, DefaultSteps, threads);
        ShapesRunner.MedianSeconds(warmUp.TrainStep, 10, 2.0);
        ShapesRunner.MedianSeconds(warmUp.Infer, 10, 1.0);

        var training = new List<double>[shapes.Length];
        var inference = new List<double>[shapes.Length];
        for (int i = 0; i < shapes.Length; i++)
            (training[i], inference[i]) = (new List<double>(), new List<double>());
        for (int round = 1; round <= rounds; round++)
        {
            Console.Error.WriteLine($"round {round}/{rounds}");
            for (int i = 0; i < shapes.Length; i++)
            {
                var (batch, steps) = shapes[i];
                var bench = new RecurrentShape(CellType.Lstm, false, Input, Hidden, 1, batch, steps, threads);
                training[i].Add(ShapesRunner.MedianSeconds(bench.TrainStep, repeats, seconds) / steps * 1e6);
                inference[i].Add(ShapesRunner.MedianSeconds(bench.Infer, repeats, seconds) / steps * 1e6);
            }
        }

        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}, LSTM input {Input}, hidden {Hidden}, threads {threads}, " +
                          $"median over {rounds} rounds of each round's median (≥{repeats} runs, ≥{seconds} s)");
        Console.WriteLine($"\nAgainst sequence length (batch {DefaultBatch}):\n");
        PrintHeader("steps");
        for (int i = 0; i < lengths.Length; i++)
            PrintRow(lengths[i], DefaultBatch, Median(training[i]), Median(inference[i]));
        Console.WriteLine($"\nAgainst batch size ({DefaultSteps} steps):\n");
        PrintHeader("batch");
        for (int i = lengths.Length; i < shapes.Length; i++)
            PrintRow(shapes[i].Batch, shapes[i].Batch, Median(training[i]), Median(inference[i]));

        // Linear cost means a flat time per step; the issue asks for a spread within 10 % from 50 to 1000 steps.
        // Load from other processes only ever adds time, so the best round of each length is shown beside the median.
        PrintSpread("median", training.Take(lengths.Length).Select(Median).ToArray(), lengths);
        PrintSpread("best round", training.Take(lengths.Length).Select(t => t.Min()).ToArray(), lengths);
    }

    private static void PrintSpread(string statistic, double[] perStep, int[] lengths)
    {
        double spread = perStep.Max() / perStep.Min() - 1;
        Console.WriteLine($"\nTraining time per step ({statistic}) across lengths {lengths[0]}–{lengths[^1]}: " +
                          string.Join(", ", perStep.Select(t => t.ToString("F0"))) + $" µs, spread {spread:P1} (max/min − 1), " +
                          (spread <= 0.10 ? "flat within 10 %." : "NOT flat within 10 %."));
    }

    private static void PrintHeader(string variable)
    {
        Console.WriteLine($"| {variable} | training µs/step | training ns/sequence-step | inference µs/step | inference ns/sequence-step |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
    }

    private static void PrintRow(int value, int batch, double trainPerStep, double inferPerStep) =>
        Console.WriteLine($"| {value} | {trainPerStep:F1} | {trainPerStep / batch * 1e3:F0} | {inferPerStep:F1} | {inferPerStep / batch * 1e3:F0} |");

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int[] Sizes(string list) => list.Split(',').Select(int.Parse).ToArray();
}
