using System.Diagnostics;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `concurrent` mode (issue #12, item 6): two models training at once in one process. Times training steps of
/// shape (b) — two stacked LSTM layers, input 64, hidden 128, batch 32, 50 steps — for one model alone, then for two
/// models on two threads of their own at the same time, each with <c>--threads</c> threads, and prints each model's
/// steps per second, their ratio (1 is a fair share) and the process's CPU use against the wall clock.
/// </summary>
internal static class ConcurrentRunner
{
    public static void Run(string[] args)
    {
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 5);
        var (input, hidden, layers, batch, steps) = RecurrentShape.Shapes["b"];
        RecurrentShape Make() => new(CellType.Lstm, false, input, hidden, layers, batch, steps, threads);

        // Tiered JIT: optimized code before anything is timed.
        var warm = Make();
        for (var clock = Stopwatch.StartNew(); clock.Elapsed.TotalSeconds < 2;)
            warm.TrainStep();

        (double alone, _) = StepsPerSecond([Make()], seconds);
        (double[] together, double cpu) = StepsPerSecondTogether([Make(), Make()], seconds);

        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}, shape (b) training steps, threads {threads} per model, {seconds} s per measure");
        Console.WriteLine($"one model alone:        {alone,7:F1} steps/s");
        Console.WriteLine($"two at once, model A:   {together[0],7:F1} steps/s");
        Console.WriteLine($"two at once, model B:   {together[1],7:F1} steps/s");
        Console.WriteLine($"A / B: {together[0] / together[1]:F2}; (A + B) / alone: {(together[0] + together[1]) / alone:F2}; " +
                          $"CPU time / wall time while both ran: {cpu:F2} (of {Environment.ProcessorCount} cores)");
    }

    private static (double, double) StepsPerSecond(RecurrentShape[] models, double seconds)
    {
        (double[] rates, double cpu) = StepsPerSecondTogether(models, seconds);
        return (rates[0], cpu);
    }

    /// <summary>Each model trains on a thread of its own for <paramref name="seconds"/>; its steps per second, and CPU time over wall time.</summary>
    private static (double[] Rates, double Cpu) StepsPerSecondTogether(RecurrentShape[] models, double seconds)
    {
        var counts = new int[models.Length];
        using var start = new Barrier(models.Length + 1);
        var workers = models.Select((model, i) => new Thread(() =>
        {
            start.SignalAndWait();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                model.TrainStep();
                counts[i]++;
            }
        })).ToArray();
        foreach (Thread worker in workers)
            worker.Start();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        start.SignalAndWait();
        foreach (Thread worker in workers)
            worker.Join();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / wall.Elapsed.TotalSeconds;
        return ([.. counts.Select(count => count / seconds)], cpu);
    }
}
