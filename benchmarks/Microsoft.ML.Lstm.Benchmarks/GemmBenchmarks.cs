using BenchmarkDotNet.Attributes;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// Single-precision GEMM on the shapes an LSTM layer runs (recurrent step h·U, input projection X·W over all
/// steps) and on squares. GFLOP/s = 2·m·n·k / mean time. Run with <c>--filter *GemmBenchmarks* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] a = [], b = [], c = [];
    private PackedMatrix? packedB;

    /// <summary>m×k · k×n: batch 64 hidden 256 step; 100 steps × 64 rows input projection; squares.</summary>
    [Params("64x256x1024", "6400x128x1024", "512x512x512", "1024x1024x1024")]
    public string Shape { get; set; } = "64x256x1024";

    /// <summary>Threads the product is split over (results are identical for either).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    private int M, K, N;

    /// <summary>Random operands, and B packed once for the packed variant.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int[] sizes = Shape.Split('x').Select(int.Parse).ToArray();
        (M, K, N) = (sizes[0], sizes[1], sizes[2]);
        var random = new Random(1);
        a = Enumerable.Range(0, M * K).Select(_ => (float)random.NextDouble()).ToArray();
        b = Enumerable.Range(0, K * N).Select(_ => (float)random.NextDouble()).ToArray();
        c = new float[M * N];
        packedB = Gemm.Pack(false, K, N, b, N);
    }

    /// <summary>C = A·B, packing B on every call.</summary>
    [Benchmark(Baseline = true)]
    public void Multiply() => Gemm.Multiply(false, false, M, N, K, 1f, a, K, b, N, 0f, c, N, Threads);

    /// <summary>C = A·B with B packed beforehand (how the recurrent weights are used).</summary>
    [Benchmark]
    public void MultiplyPacked() => Gemm.Multiply(false, M, 1f, a, K, packedB!, 0f, c, N, Threads);
}
