using System.Collections.Concurrent;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Background threads that score the batches a <c>Transform</c> cursor reads ahead (<see cref="ReadAheadPredictions"/>):
/// one fewer than the processor's cores, started when first needed and kept for the process, each sleeping until
/// handed work.
/// </summary>
/// <remarks>
/// Why not the thread pool: an idle thread-pool worker keeps spinning a while before it sleeps, and a cursor leaves its
/// helper idle each time it reads the next rows; on the two-core machine this was measured on, that spinning cost a
/// third as much processor time as the scoring itself (<c>benchmarks/RESULTS.md</c>, "Transform scores rows in
/// batches"). These threads wait on a blocking queue instead, and the cursor's own thread scores too, so a helper
/// that wakes late delays nothing.
/// </remarks>
internal static class ScoringWorkers
{
    private static readonly BlockingCollection<Action> Work = new(new ConcurrentQueue<Action>());
    private static readonly object Gate = new();
    private static int started;

    /// <summary>
    /// Runs <paramref name="work"/>, which must not throw, on a background thread; first starts threads up to
    /// <paramref name="threads"/> (at least one, at most the cores less one).
    /// </summary>
    public static void Post(Action work, int threads)
    {
        ArgumentNullException.ThrowIfNull(work);
        EnsureThreads(Math.Clamp(threads, 1, Math.Max(1, Environment.ProcessorCount - 1)));
        Work.Add(work);
    }

    private static void EnsureThreads(int threads)
    {
        if (Volatile.Read(ref started) >= threads)
            return;
        lock (Gate)
        {
            while (started < threads)
            {
                var thread = new Thread(Serve) { IsBackground = true, Name = $"Microsoft.ML.Lstm scoring {started}" };
                thread.Start();
                started++;
            }
        }
    }

    private static void Serve()
    {
        foreach (Action work in Work.GetConsumingEnumerable())
            work();
    }
}
