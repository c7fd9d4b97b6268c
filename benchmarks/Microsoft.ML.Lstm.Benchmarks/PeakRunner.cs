using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `peak` mode: this CPU's fp32 multiply-add peak on <c>--threads</c> cores at once, measured by a loop of
/// independent FMAs at the vector width the GEMM runs (<see cref="Gemm.BestKernel"/>: Vector512 with AVX-512F,
/// Vector256 with AVX, else Vector128; a multiply and an add where the CPU has no FMA), printed as one JSON line (GFLOP/s, and per core) that compare.sh
/// and compare-gemm.sh divide by, with the processor as the GEMM's tuning sees it (<see cref="CpuDescription"/>) and the
/// blocking it picked (<see cref="GemmTuning"/>).
/// </summary>
/// <remarks>
/// An FMA's latency is 4–5 cycles and a core issues up to two per cycle, so keeping both pipes busy takes at least
/// 8–10 chains in flight; the loop runs 12 (the 16 registers of AVX2 hold 12 accumulators and the two constants)
/// or 16 with AVX-512's 32 registers, all in registers, touching no memory: nothing but the FMA ports bounds it.
/// All threads start together behind a barrier and run for about <c>--seconds</c>, each timing its own short chunks
/// (see <see cref="MeasureOnce"/>); the best of <c>--repeats</c> rounds is reported.
/// </remarks>
internal static class PeakRunner
{
    private const long Iterations = 1L << 20;

    public static void Run(string[] args)
    {
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 0.2);
        int repeats = ShapesRunner.IntOption(args, "--repeats", 8);
        (Func<long, float> loop, int flopsPerIteration, string width) = Gemm.BestKernel switch
        {
            GemmKernel.Avx512 => ((Func<long, float>)Loop512, 16 * 16 * 2, "Vector512"),
            GemmKernel.Avx2 => (Loop<Float256>, 12 * 8 * 2, "Vector256"),
            _ => (Loop<Float128>, 12 * 4 * 2, "Vector128"),
        };

        loop(Iterations); // JIT and wake the core before timing.
        double best = 0;
        for (int round = 0; round < repeats; round++)
            best = Math.Max(best, MeasureOnce(loop, flopsPerIteration, threads, seconds));
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            engine = "fma-loop", @case = "peak", metric = "gflops", value = best, threads, per_core = best / threads,
            kernel = Gemm.BestKernel.ToString(), width, fused = Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported,
            cpu = CpuDescription.Current.ToString(), tuning = GemmTuning.Current.ToString(),
        }));
    }

    /// <summary>
    /// GFLOP/s of <paramref name="threads"/> threads running <paramref name="loop"/> at once for about
    /// <paramref name="seconds"/>: each thread times short chunks of about a millisecond and keeps its fastest, and
    /// the threads' fastest rates are summed. On a machine shared with other work a chunk during which the thread was
    /// not descheduled still runs at the hardware's rate, while a wall-clock average over the whole run would measure
    /// the other work's share instead.
    /// </summary>
    private static double MeasureOnce(Func<long, float> loop, int flopsPerIteration, int threads, double seconds)
    {
        long chunk = Math.Max(1024, (long)(Iterations * ChunkSeconds / TimeOf(loop, Iterations)));
        using var start = new Barrier(threads);
        var best = new double[threads];
        var sink = new float[threads];
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                var total = Stopwatch.StartNew();
                while (total.Elapsed.TotalSeconds < seconds)
                {
                    long begin = Stopwatch.GetTimestamp();
                    sink[index] += loop(chunk);
                    double rate = chunk * (double)flopsPerIteration / Stopwatch.GetElapsedTime(begin).TotalSeconds;
                    best[index] = Math.Max(best[index], rate);
                }
            }) { IsBackground = true };
            workers[t].Start();
        }

        foreach (var worker in workers)
            worker.Join();
        if (sink.Any(float.IsNaN))
            throw new InvalidOperationException("The FMA loop produced NaN.");
        return best.Sum() / 1e9;
    }

    private const double ChunkSeconds = 0.001;

    private static double TimeOf(Func<long, float> loop, long iterations)
    {
        long begin = Stopwatch.GetTimestamp();
        loop(iterations);
        return Stopwatch.GetElapsedTime(begin).TotalSeconds;
    }

    // Each chain converges to add / (1 − scale) = 1: no overflow, no denormals, whatever the count.
    private const float Scale = 0.999999f, Add = 0.000001f;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        Vector512<float> m = Vector512.Create(Scale), a = Vector512.Create(Add);
        Vector512<float> c0 = Vector512.Create(0.1f), c1 = Vector512.Create(0.2f), c2 = Vector512.Create(0.3f), c3 = Vector512.Create(0.4f);
        Vector512<float> c4 = Vector512.Create(0.5f), c5 = Vector512.Create(0.6f), c6 = Vector512.Create(0.7f), c7 = Vector512.Create(0.8f);
        Vector512<float> c8 = Vector512.Create(0.9f), c9 = Vector512.Create(1.1f), c10 = Vector512.Create(1.2f), c11 = Vector512.Create(1.3f);
        Vector512<float> c12 = Vector512.Create(1.4f), c13 = Vector512.Create(1.5f), c14 = Vector512.Create(1.6f), c15 = Vector512.Create(1.7f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, m, a);
            c1 = Avx512F.FusedMultiplyAdd(c1, m, a);
            c2 = Avx512F.FusedMultiplyAdd(c2, m, a);
            c3 = Avx512F.FusedMultiplyAdd(c3, m, a);
            c4 = Avx512F.FusedMultiplyAdd(c4, m, a);
            c5 = Avx512F.FusedMultiplyAdd(c5, m, a);
            c6 = Avx512F.FusedMultiplyAdd(c6, m, a);
            c7 = Avx512F.FusedMultiplyAdd(c7, m, a);
            c8 = Avx512F.FusedMultiplyAdd(c8, m, a);
            c9 = Avx512F.FusedMultiplyAdd(c9, m, a);
            c10 = Avx512F.FusedMultiplyAdd(c10, m, a);
            c11 = Avx512F.FusedMultiplyAdd(c11, m, a);
            c12 = Avx512F.FusedMultiplyAdd(c12, m, a);
            c13 = Avx512F.FusedMultiplyAdd(c13, m, a);
            c14 = Avx512F.FusedMultiplyAdd(c14, m, a);
            c15 = Avx512F.FusedMultiplyAdd(c15, m, a);
        }
        Vector512<float> sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)) + ((c12 + c13) + (c14 + c15));
        return Vector512.Sum(sum);
    }

    /// <summary>
    /// The 256- or 128-bit width, as the Avx2 and Vector128 kernels run it (<see cref="IFloatVector{TSelf}.FusedMultiplyAdd"/>):
    /// one FMA where the CPU has one (FMA3, NEON), else a multiply and an add (<see cref="MultiplyAdd"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop<TVector>(long iterations) where TVector : struct, IFloatVector<TVector>
    {
        TVector m = TVector.Create(Scale), a = TVector.Create(Add);
        TVector c0 = TVector.Create(0.1f), c1 = TVector.Create(0.2f), c2 = TVector.Create(0.3f), c3 = TVector.Create(0.4f);
        TVector c4 = TVector.Create(0.5f), c5 = TVector.Create(0.6f), c6 = TVector.Create(0.7f), c7 = TVector.Create(0.8f);
        TVector c8 = TVector.Create(0.9f), c9 = TVector.Create(1.1f), c10 = TVector.Create(1.2f), c11 = TVector.Create(1.3f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = TVector.FusedMultiplyAdd(c0, m, a);
            c1 = TVector.FusedMultiplyAdd(c1, m, a);
            c2 = TVector.FusedMultiplyAdd(c2, m, a);
            c3 = TVector.FusedMultiplyAdd(c3, m, a);
            c4 = TVector.FusedMultiplyAdd(c4, m, a);
            c5 = TVector.FusedMultiplyAdd(c5, m, a);
            c6 = TVector.FusedMultiplyAdd(c6, m, a);
            c7 = TVector.FusedMultiplyAdd(c7, m, a);
            c8 = TVector.FusedMultiplyAdd(c8, m, a);
            c9 = TVector.FusedMultiplyAdd(c9, m, a);
            c10 = TVector.FusedMultiplyAdd(c10, m, a);
            c11 = TVector.FusedMultiplyAdd(c11, m, a);
        }
        Span<float> lanes = stackalloc float[TVector.Count];
        (((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11))).Store(lanes, 0);
        float sum = 0;
        foreach (float lane in lanes)
            sum += lane;
        return sum;
    }
}
