using System.Text.Json;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `gemm` mode: GFLOP/s of <see cref="Gemm.Multiply{T}"/> (A·B, no transposes, beta 0) on the LSTM's shapes
/// and on large squares, as JSON lines that compare-gemm.sh sets beside numpy's sgemm (OpenBLAS) from
/// pytorch_gemm_peer.py, measured the same way.
/// </summary>
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
        var random = new Random(1);
        foreach (var (m, k, n) in Shapes)
        {
            float[] a = RandomMatrix(m * k, random), b = RandomMatrix(k * n, random);
            var c = new float[m * n];
            double median = ShapesRunner.MedianSeconds(
                () => Gemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n, threads), repeats: 5, seconds);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                engine = "mlnet-lstm", @case = $"{m}x{k}·{k}x{n}", metric = "gflops", value = 2.0 * m * n * k / median / 1e9,
            }));
        }
    }

    private static float[] RandomMatrix(int length, Random random)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
