using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// Runs the parts of a parallel section (ranges of sequences, slices of a GEMM, the two directions of a
/// bidirectional layer) on the calling thread and on a few dedicated background threads that stay awake for a
/// short while between sections.
/// </summary>
/// <remarks>
/// <para>
/// Why not <see cref="Parallel.For(int, int, Action{int})"/>: a thread-pool worker that has gone to sleep takes
/// 0.5–2 ms to start again on a virtual machine like the one this was measured on, and in half of a series of
/// 2 ms sections it never joined at all (the calling thread ran both halves alone). A training batch has five
/// parallel sections, so a 30 ms batch lost several milliseconds. Here an idle worker spins for
/// <see cref="SpinMicroseconds"/> before it sleeps, so the sections of one batch, and of consecutive batches,
/// find it awake (median start 10–20 µs).
/// </para>
/// <para>
/// Parts are claimed from a shared counter, the calling thread included, so a section never waits on a worker
/// that has not started: at worst the caller runs every part itself. Up to <see cref="MaxSections"/> sections run
/// at once (two models training or scoring in one process, or a nested section inside a part): idle workers
/// join whichever is open, so neither is left on one thread while the other holds every worker; a section
/// started when all are taken runs its parts on its own thread. Which thread runs a part never changes what the
/// part computes.
/// </para>
/// <para>
/// Nothing here keeps a section reachable once its <see cref="Run{TState}"/> has returned: a worker looks at a
/// section only inside <see cref="TryWork"/>, whose frame is gone before the worker sleeps, so a model whose
/// layers were a section's state can be collected while the workers live on.
/// </para>
/// </remarks>
internal static class ParallelParts
{
    /// <summary>How long an idle worker keeps looking for work before it sleeps.</summary>
    public const double SpinMicroseconds = 2000;

    /// <summary>Sections that can hold the workers at once.</summary>
    public const int MaxSections = 4;

    private static readonly object Gate = new();
    private static readonly List<Thread> Workers = new();
    private static readonly Section?[] Open = new Section?[MaxSections];
    private static long generation;
    private static int sleeping;
    private static int workerCount;

    /// <summary>Calls <paramref name="body"/>(part) for part 0 … parts − 1, on up to <paramref name="parts"/> threads, and returns when all are done.</summary>
    public static void Run(int parts, Action<int> body) => Run(parts, body, static (part, action) => action(part));

    /// <summary>
    /// Calls <paramref name="body"/>(part, <paramref name="state"/>) for part 0 … parts − 1, on up to
    /// <paramref name="parts"/> threads, and returns when all are done. The state carries what the parts read
    /// (a layer and its pass), so a static <paramref name="body"/> captures nothing and the caller keeps no
    /// per-pass fields for the workers to find.
    /// </summary>
    public static void Run<TState>(int parts, TState state, Action<int, TState> body)
    {
        if (parts <= 1)
        {
            if (parts == 1)
                body(0, state);
            return;
        }

        var section = new Section<TState>(body, state, parts);
        int slot = 0;
        while (slot < MaxSections && Interlocked.CompareExchange(ref Open[slot], section, null) is not null)
            slot++;
        if (slot == MaxSections)
        {
            // Every slot is taken: run this one here, part by part.
            for (int part = 0; part < parts; part++)
                body(part, state);
            return;
        }

        try
        {
            EnsureWorkers(parts - 1);
            Interlocked.Increment(ref generation);
            if (Volatile.Read(ref sleeping) > 0)
            {
                lock (Gate)
                    Monitor.PulseAll(Gate);
            }
            section.Work();
            section.WaitForClaimedParts();
        }
        finally
        {
            Volatile.Write(ref Open[slot], null);
        }
        section.ThrowIfFailed();
    }

    private static void EnsureWorkers(int count)
    {
        if (Volatile.Read(ref workerCount) >= count)
            return;
        lock (Workers)
        {
            while (Workers.Count < count)
            {
                var thread = new Thread(WorkerLoop) { IsBackground = true, Name = "Microsoft.ML.Lstm worker " + (Workers.Count + 1) };
                Workers.Add(thread);
                thread.Start();
            }
            Volatile.Write(ref workerCount, Workers.Count);
        }
    }

    private static void WorkerLoop()
    {
        long seen = Volatile.Read(ref generation);
        long idleSince = Stopwatch.GetTimestamp();
        long spinTicks = (long)(SpinMicroseconds * Stopwatch.Frequency / 1e6);
        int firstSlot = 0;
        while (true)
        {
            if (TryWork(firstSlot))
            {
                idleSince = Stopwatch.GetTimestamp();
                continue;
            }

            long now = Volatile.Read(ref generation);
            if (now != seen)
            {
                // A section started (and perhaps already ended) since this worker last looked.
                seen = now;
                idleSince = Stopwatch.GetTimestamp();
                continue;
            }
            if (Stopwatch.GetTimestamp() - idleSince < spinTicks)
            {
                Thread.SpinWait(20);
                firstSlot = (firstSlot + 1) % MaxSections;
                continue;
            }

            lock (Gate)
            {
                Interlocked.Increment(ref sleeping);
                while (Volatile.Read(ref generation) == seen)
                    Monitor.Wait(Gate);
                Interlocked.Decrement(ref sleeping);
            }
        }
    }

    /// <summary>
    /// Runs parts of the first open section from <paramref name="firstSlot"/> on that has any left; whether it ran
    /// any. Not inlined, so that no reference to a section outlives the call in the worker's own frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryWork(int firstSlot)
    {
        for (int i = 0; i < MaxSections; i++)
        {
            Section? section = Volatile.Read(ref Open[(firstSlot + i) % MaxSections]);
            if (section is not null && section.Work())
                return true;
        }
        return false;
    }

    /// <summary>One parallel section: its parts, and counters of parts claimed and finished.</summary>
    private abstract class Section(int parts)
    {
        private int claimed;
        private int finished;
        private Exception? error;

        /// <summary>Claims and runs parts until none is left; whether it ran any.</summary>
        public bool Work()
        {
            bool ran = false;
            while (true)
            {
                int part = Interlocked.Increment(ref claimed) - 1;
                if (part >= parts)
                    return ran;
                ran = true;
                try
                {
                    if (Volatile.Read(ref error) is null)
                        RunPart(part);
                }
                catch (Exception exception)
                {
                    Interlocked.CompareExchange(ref error, exception, null);
                }
                finally
                {
                    Interlocked.Increment(ref finished);
                }
            }
        }

        /// <summary>Spins until every part has finished (all are claimed once the caller's <see cref="Work"/> returns).</summary>
        public void WaitForClaimedParts()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref finished) < parts)
                spin.SpinOnce(sleep1Threshold: -1);
        }

        /// <summary>Rethrows the first exception a part threw, with its original stack trace.</summary>
        public void ThrowIfFailed()
        {
            if (error is not null)
                ExceptionDispatchInfo.Throw(error);
        }

        /// <summary>Runs one part.</summary>
        protected abstract void RunPart(int part);
    }

    /// <summary>A section whose parts read a state of type <typeparamref name="TState"/>.</summary>
    private sealed class Section<TState>(Action<int, TState> body, TState state, int parts) : Section(parts)
    {
        protected override void RunPart(int part) => body(part, state);
    }
}
