using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

public class GemmPairTests
{
    private static IEnumerable<GemmKernel> SupportedKernels => Enum.GetValues<GemmKernel>().Where(Gemm.IsSupported);

    public static TheoryData<string> Kernels => new(SupportedKernels.Select(kernel => kernel.ToString()));

    /// <summary>m, n₁, n₂, k: odd sizes, B₁ ending mid-panel, k across the 256 depth block, few rows (m ≤ 4) and a ragged last row part.</summary>
    private static readonly (int M, int N1, int N2, int K)[] Shapes =
    [
        (1, 1, 1, 1), (3, 5, 9, 7), (7, 13, 17, 300), (13, 33, 31, 257), (37, 17, 65, 513), (50, 40, 3, 19), (129, 9, 130, 260),
    ];

    /// <summary>The tuning this CPU uses, and a tiny one: blocks of a few tiles, column blocks that straddle B₁ | B₂, every product split.</summary>
    private static readonly GemmTuning?[] Tunings =
    [
        null, new GemmTuning(RowBlock: 13, ColumnBlock: 40, OneRowPanels: 4, MinimumWorkPerThread: 1),
    ];

    [Theory]
    [MemberData(nameof(Kernels))]
    public void PairGivesTheSameBitsAsTwoProducts(string kernelName)
    {
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        int seed = 0;
        foreach ((int m, int n1, int n2, int k) in Shapes)
        foreach (bool transposeA in new[] { true, false })
        foreach (float beta in new[] { 0f, 1f, 0.5f })
        foreach (GemmTuning? tuning in Tunings)
        foreach (int threads in new[] { 1, 2 })
        {
            int lda = (transposeA ? m : k) + 1, ldb1 = n1 + 2, ldb2 = n2, ldc1 = n1 + 3, ldc2 = n2 + 1;
            float[] a = QuantizedMatrixTests.Random((transposeA ? k : m) * lda, ++seed, scale: 1f);
            float[] b1 = QuantizedMatrixTests.Random(k * ldb1, ++seed, scale: 1f), b2 = QuantizedMatrixTests.Random(k * ldb2, ++seed, scale: 1f);
            float[] c1 = QuantizedMatrixTests.Random(m * ldc1, ++seed, scale: 1f), c2 = QuantizedMatrixTests.Random(m * ldc2, ++seed, scale: 1f);
            float[] expected1 = (float[])c1.Clone(), expected2 = (float[])c2.Clone();
            Gemm.Multiply(kernel, transposeA, false, m, n1, k, 0.75f, a, lda, b1, ldb1, beta, expected1, ldc1, threads, tuning);
            Gemm.Multiply(kernel, transposeA, false, m, n2, k, 0.75f, a, lda, b2, ldb2, beta, expected2, ldc2, threads, tuning);

            Gemm.MultiplyPair(kernel, transposeA, m, n1, n2, k, 0.75f, a, lda, b1, ldb1, c1, ldc1, b2, ldb2, c2, ldc2, beta, threads, tuning);

            string context = $"{kernel} m={m} n1={n1} n2={n2} k={k} tA={transposeA} beta={beta} tuning={tuning?.ToString() ?? "current"} threads={threads}";
            AssertSameBits(expected1, c1, "C1 " + context);
            AssertSameBits(expected2, c2, "C2 " + context);
        }
    }

    [Fact]
    public void PairMatchesTheReferenceInDouble()
    {
        const int m = 9, n1 = 5, n2 = 7, k = 11;
        double[] a = QuantizedMatrixTests.Random(k * m, 1, scale: 1f).Select(x => (double)x).ToArray();
        double[] b1 = QuantizedMatrixTests.Random(k * n1, 2, scale: 1f).Select(x => (double)x).ToArray(), b2 = QuantizedMatrixTests.Random(k * n2, 3, scale: 1f).Select(x => (double)x).ToArray();
        double[] c1 = new double[m * n1], c2 = new double[m * n2], expected1 = new double[m * n1], expected2 = new double[m * n2];
        Gemm.ReferenceMultiply(true, false, m, n1, k, 2.0, a, m, b1, n1, 0.0, expected1, n1);
        Gemm.ReferenceMultiply(true, false, m, n2, k, 2.0, a, m, b2, n2, 0.0, expected2, n2);

        Gemm.MultiplyPair(true, m, n1, n2, k, 2.0, a, m, b1, n1, c1, n1, b2, n2, c2, n2, 0.0);

        Assert.Equal(expected1, c1);
        Assert.Equal(expected2, c2);
    }

    [Fact]
    public void PairRejectsASecondBThatIsTooShort()
    {
        float[] a = new float[4 * 3], b1 = new float[4 * 2], b2 = new float[4 * 5 - 1], c1 = new float[3 * 2], c2 = new float[3 * 5];
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyPair(true, 3, 2, 5, 4, 1f, a, 3, b1, 2, c1, 2, b2, 5, c2, 5, 0f));
        Assert.Contains("B needs", error.Message);
    }

    private static void AssertSameBits(float[] expected, float[] actual, string context)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{context}: element {i} is {actual[i]:R}, two products give {expected[i]:R}.");
        }
    }
}
