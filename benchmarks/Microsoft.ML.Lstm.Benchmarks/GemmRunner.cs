using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `gemm` mode: GFLOP/s of <see cref="Gemm.Multiply{T}"/> (A·B, no transposes, beta 0) on the LSTM's shapes
/// and on large squares, as JSON lines that compare-gemm.sh sets beside numpy's sgemm (OpenBLAS) from
/// pytorch_gemm_peer.py, measured the same way.
/// </summary>
/// <remarks>
/// Options: <c>--threads N</c>; <c>--shapes 32x256x1024,…</c> (m×k×n) instead of the default list;
/// <c>--packed</c> multiplies by B packed beforehand, as the recurrent layers do with their weights;
/// <c>--transpose-a</c> reads A stored [k × m], as the weight gradients ∂W = ∂gatesᵀ·X do;
/// <c>--best</c> reports the fastest call instead of the median, which on a machine shared with other work
/// is the nearer to what the code can do; <c>--tuning fixed</c> runs the blocking used before the tuning per
/// processor (<see cref="GemmTuning.Fixed"/>) instead of this CPU's (<see cref="GemmTuning.Current"/>), and <c>--mc N</c>
/// either with A's row block MC at N rows;
/// <c>--cpu</c> (Linux, one thread) times each call by the thread's own CPU time rather than the wall clock, which
/// leaves out the time other processes held the core (an A/B on a loaded machine; their cache traffic stays in);
/// <c>--steps S</c> multiplies into S different row blocks of one tall C in turn with beta 1, as the recurrent step
/// adds h·W_hhᵀ into its slice of the gates buffer that the input projection wrote long before (C then comes from
/// memory, not from the cache a repeated product into one C finds it in).
/// </remarks>
internal static class GemmRunner
{
    /// <summary>m, k, n of each product: the recurrent step and input projection of shape (a), and squares.</summary>
    public static readonly (int M, int K, int N)[] Shapes =
    [
        (64, 256, 1024), (6400, 128, 1024), (6400, 512, 2048), (1024, 1024, 1024), (2048, 2048, 2048),
    ];

    public static void Run(string[] args)
    {
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 1.0);
        bool packed = args.Contains("--packed"), best = args.Contains("--best"), transposeA = args.Contains("--transpose-a");
        GemmTuning tuning = ShapesRunner.StringOption(args, "--tuning", "current") == "fixed" ? GemmTuning.Fixed(Gemm.BestKernel) : GemmTuning.Current;
        if (ShapesRunner.IntOption(args, "--mc", 0) is > 0 and int rowBlock)
            tuning = tuning with { RowBlock = rowBlock };
        GemmKernel kernel = Gemm.BestKernel;
        string shapeList = ShapesRunner.StringOption(args, "--shapes", "");
        var shapes = shapeList.Length == 0 ? Shapes : shapeList.Split(',').Select(ParseShape).ToArray();
        var random = new Random(1);
        foreach (var (m, k, n) in shapes)
        {
            float[] a = RandomMatrix(m * k, random), b = RandomMatrix(k * n, random);
            int steps = ShapesRunner.IntOption(args, "--steps", 1), step = 0;
            float beta = steps > 1 ? 1f : 0f;
            var tall = RandomMatrix(steps * m * n, random);
            PackedMatrix? packedB = packed ? Gemm.Pack(false, k, n, b, n) : null;
            int lda = transposeA ? m : k;
            Action multiply = () =>
            {
                Span<float> c = tall.AsSpan(step * m * n, m * n);
                step = (step + 1) % steps;
                if (packedB is null)
                    Gemm.Multiply(kernel, transposeA, false, m, n, k, 1f, a, lda, b, n, beta, c, n, threads, tuning);
                else
                    Gemm.Multiply(kernel, transposeA, m, 1f, a, lda, packedB, beta, c, n, threads, tuning);
            };
            double time = args.Contains("--cpu") ? BestThreadSeconds(multiply, seconds)
                : best ? BestSeconds(multiply, seconds) : ShapesRunner.MedianSeconds(multiply, repeats: 5, seconds);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                engine = "mlnet-lstm", @case = $"{m}x{k}·{k}x{n}", metric = "gflops", value = 2.0 * m * n * k / time / 1e9,
            }));
        }
    }

    /// <summary>The fastest of the calls made in about <paramref name="seconds"/>, after a warm-up.</summary>
    private static double BestSeconds(Action action, double seconds)
    {
        action();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }

    /// <summary>The least thread CPU time of the calls made in about <paramref name="seconds"/>, after a warm-up.</summary>
    private static double BestThreadSeconds(Action action, double seconds)
    {
        action();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            double start = ThreadSeconds();
            action();
            best = Math.Min(best, ThreadSeconds() - start);
        }
        return best;
    }

    /// <summary>The calling thread's CPU time in seconds (Linux).</summary>
    internal static unsafe double ThreadSeconds()
    {
        const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID
        long* time = stackalloc long[2];
        if (ClockGetTime(ThreadCpuClock, time) != 0)
            throw new PlatformNotSupportedException("--cpu needs clock_gettime(CLOCK_THREAD_CPUTIME_ID) (Linux).");
        return time[0] + time[1] * 1e-9;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern unsafe int ClockGetTime(int clock, long* time);

    private static (int M, int K, int N) ParseShape(string text)
    {
        string[] parts = text.Split('x');
        return (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
    }

    private static float[] RandomMatrix(int length, Random random)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
