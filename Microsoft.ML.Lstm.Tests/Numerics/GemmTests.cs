using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

public class GemmTests
{
    /// <summary>m, n, k: tiny, prime, around the 8×32 / 6×16 / 6×8 tiles, k across the 256 depth block.</summary>
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 17, 31, 13 }, { 7, 33, 5 }, { 8, 32, 16 }, { 9, 47, 300 }, { 33, 1, 17 },
        { 1, 129, 31 }, { 129, 65, 257 }, { 6, 16, 8 }, { 50, 200, 3 },
    };

    /// <summary>Every micro-kernel this CPU can run (a narrower kernel is tested on a machine with a wider one).</summary>
    public static TheoryData<string> Kernels => new(SupportedKernels.Select(kernel => kernel.ToString()));

    /// <summary><see cref="Shapes"/> for each supported kernel.</summary>
    public static TheoryData<string, int, int, int> KernelsAndShapes
    {
        get
        {
            var data = new TheoryData<string, int, int, int>();
            foreach (GemmKernel kernel in SupportedKernels)
            {
                foreach (object[] shape in Shapes)
                    data.Add(kernel.ToString(), (int)shape[0], (int)shape[1], (int)shape[2]);
            }
            return data;
        }
    }

    private static IEnumerable<GemmKernel> SupportedKernels => Enum.GetValues<GemmKernel>().Where(Gemm.IsSupported);

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void MatchesReferenceOnOddShapesForAllTransposes(string kernelName, int m, int n, int k)
    {
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        foreach (bool transposeA in new[] { false, true })
        foreach (bool transposeB in new[] { false, true })
        foreach (float beta in new[] { 0f, 1f, 0.5f })
            AssertMatchesReference(kernel, transposeA, transposeB, m, n, k, alpha: 0.75f, beta, padding: 3, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void FewRowsGiveTheSameBitsAsTheSameRowsInsideALargerProduct(string kernelName)
    {
        // m ≤ 4 takes the few-rows kernel; m = 11 takes the tiled micro-kernel. Each element must be the same FMA
        // chain either way: n not a whole number of panels, k across two depth blocks, every transpose, packed B.
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        const int large = 11;
        foreach ((int n, int k) in new[] { (1, 1), (37, 5), (200, 300), (512, 128), (129, 257) })
        foreach (bool transposeA in new[] { false, true })
        foreach (bool transposeB in new[] { false, true })
        foreach (float beta in new[] { 0f, 1f, 0.5f })
        {
            int lda = (transposeA ? large : k) + 2, ldb = (transposeB ? k : n) + 1, ldc = n + 3;
            float[] a = Random((transposeA ? k : large) * lda, 21), b = Random((transposeB ? n : k) * ldb, 22);
            float[] initial = Random(large * ldc, 23), expected = (float[])initial.Clone();
            Gemm.Multiply(kernel, transposeA, transposeB, large, n, k, 0.75f, a, lda, b, ldb, beta, expected, ldc, threads: 1);
            PackedMatrix packedB = Gemm.Pack(kernel, transposeB, k, n, b, ldb);
            foreach (int m in new[] { 1, 2, 3, 4 })
            foreach (int firstRow in new[] { 0, large - m })
            {
                // Rows [firstRow, firstRow + m) of op(A) and of C, as views into the same storage.
                ReadOnlySpan<float> rowsOfA = transposeA ? a.AsSpan(firstRow) : a.AsSpan(firstRow * lda);
                float[] plain = (float[])initial.Clone(), packed = (float[])initial.Clone();
                foreach (int threads in new[] { 1, 2 })
                {
                    initial.AsSpan().CopyTo(plain);
                    initial.AsSpan().CopyTo(packed);
                    Gemm.Multiply(kernel, transposeA, transposeB, m, n, k, 0.75f, rowsOfA, lda, b, ldb, beta, plain.AsSpan(firstRow * ldc), ldc, threads);
                    Gemm.Multiply(kernel, transposeA, m, 0.75f, rowsOfA, lda, packedB, beta, packed.AsSpan(firstRow * ldc), ldc, threads);
                    string context = $"{kernel} m={m} rows from {firstRow} n={n} k={k} tA={transposeA} tB={transposeB} beta={beta} threads={threads}";
                    AssertSameBits(initial, expected, plain, firstRow * ldc, m * ldc, context + " (plain B)");
                    AssertSameBits(initial, expected, packed, firstRow * ldc, m * ldc, context + " (packed B)");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void EveryRowCountGivesEachRowTheBitsOfThatRowAlone(string kernelName)
    {
        // 1 to 40 rows: every remainder of the tiles, the few-rows groups the driver picks (4 + 3 for a remainder of one,
        // 4 + 4 for two, three rows against panel pairs and alone on a last panel), padded tiles clipped in their rows, a last panel clipped in its columns (n = 100), one and two
        // depth blocks, beta 0, 1 and ½, and a bias stored over. Each row must be the FMA chains of that row computed alone.
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        const int most = 40;
        foreach ((int n, int k) in new[] { (100, 128), (64, 300) })
        {
            int ldc = n + 1;
            float[] a = Random(most * k, 41), b = Random(k * n, 42), bias = Random(n, 43), initial = Random(most * ldc, 44);
            PackedMatrix packed = Gemm.Pack(kernel, false, k, n, b, n);
            foreach (float beta in new[] { 0f, 1f, 0.5f })
            {
                float[] alone = (float[])initial.Clone();
                for (int i = 0; i < most; i++)
                    Gemm.Multiply(kernel, false, 1, 0.75f, a.AsSpan(i * k, k), k, packed, beta, alone.AsSpan(i * ldc, n), ldc);
                for (int m = 1; m <= most; m++)
                {
                    float[] together = (float[])initial.Clone();
                    Gemm.Multiply(kernel, false, m, 0.75f, a, k, packed, beta, together, ldc);
                    AssertSameBits(initial, alone, together, 0, m * ldc, $"{kernel} m={m} n={n} k={k} beta={beta}");
                }
            }

            float[] biasAlone = (float[])initial.Clone();
            for (int i = 0; i < most; i++)
                Gemm.MultiplyAddingBias(kernel, 1, a.AsSpan(i * k, k), k, packed, bias, biasAlone.AsSpan(i * ldc, n), ldc);
            for (int m = 1; m <= most; m++)
            {
                float[] together = (float[])initial.Clone();
                Gemm.MultiplyAddingBias(kernel, m, a, k, packed, bias, together, ldc);
                AssertSameBits(initial, biasAlone, together, 0, m * ldc, $"{kernel} m={m} n={n} k={k} with a bias");
            }
        }
    }

    [Fact]
    public void TheLastRowsGoToFewRowGroupsWhereTheyCostLessThanTiles()
    {
        // 6-row tiles (AVX2, Vector128): a remainder of 3 or 4 is a group, of 2 two groups of four, of 1 groups of 4 and 3
        // (one tile fewer), of 5 groups of 4, 4 and 3 (for a tile and a padded one), of 5 rows in all a padded tile.
        // 8-row tiles (AVX-512): groups for 1 to 4 left over and for 7 (4 and 3), a padded tile for 5 and 6.
        Assert.Equal(
            new[] { 0, 7, 8, 3, 4, 11, 0, 7, 8, 3, 4, 11 },
            Enumerable.Range(30, 12).Select(GemmDriver<Avx2MicroKernel>.FewRowsAtEnd));
        Assert.Equal(new[] { 0, 7, 8 }, new[] { 5, 7, 8 }.Select(GemmDriver<Avx2MicroKernel>.FewRowsAtEnd));
        Assert.Equal(
            Enumerable.Range(5, 60).Select(GemmDriver<Avx2MicroKernel>.FewRowsAtEnd),
            Enumerable.Range(5, 60).Select(GemmDriver<Vector128MicroKernel>.FewRowsAtEnd));
        Assert.Equal(
            new[] { 0, 1, 2, 3, 4, 0, 0, 7, 0 },
            Enumerable.Range(32, 9).Select(GemmDriver<Avx512MicroKernel>.FewRowsAtEnd));
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void MatchesReferenceWithStridesWiderThanTheRows(string kernelName)
    {
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        AssertMatchesReference(kernel, false, false, 19, 37, 41, alpha: 1f, beta: 0.5f, padding: 11, threads: 2);
        AssertMatchesReference(kernel, true, true, 19, 37, 41, alpha: -2f, beta: 1f, padding: 5, threads: 1);
        AssertMatchesReference(kernel, true, false, 3, 37, 41, alpha: -2f, beta: 0.5f, padding: 5, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void MatchesReferenceOnLargeThreadedProduct(string kernelName)
    {
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        AssertMatchesReference(kernel, false, true, 150, 300, 270, alpha: 1f, beta: 0f, padding: 1, threads: 2);
        AssertMatchesReference(kernel, true, false, 300, 150, 270, alpha: 1f, beta: 1f, padding: 0, threads: 2);
        AssertMatchesReference(kernel, false, false, 4, 3000, 300, alpha: 1f, beta: 1f, padding: 0, threads: 2);
    }

    [Fact]
    public void BetaZeroOverwritesNaNInC()
    {
        const int m = 13, n = 45, k = 7;
        float[] a = Random(m * k, 1), b = Random(k * n, 2);
        float[] c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        Gemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
        Assert.All(c, value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void ZeroDepthScalesCByBeta()
    {
        float[] c = { 1f, 2f, float.NaN, 4f };
        Gemm.Multiply(false, false, 2, 2, 0, 1f, ReadOnlySpan<float>.Empty, 0, ReadOnlySpan<float>.Empty, 2, 0.5f, c, 2);
        Assert.Equal(new[] { 0.5f, 1f, float.NaN, 2f }, c);
        Gemm.Multiply(false, false, 2, 2, 0, 1f, ReadOnlySpan<float>.Empty, 0, ReadOnlySpan<float>.Empty, 2, 0f, c, 2);
        Assert.Equal(new float[4], c);
    }

    [Fact]
    public void EmptyProductsLeaveCUntouched()
    {
        float[] c = { 3f };
        Gemm.Multiply(false, false, 0, 1, 5, 1f, ReadOnlySpan<float>.Empty, 5, new float[5], 1, 0f, c, 1);
        Gemm.Multiply(false, false, 1, 0, 5, 1f, new float[5], 5, ReadOnlySpan<float>.Empty, 0, 0f, c, 1);
        Assert.Equal(3f, c[0]);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void ResultsAreBitIdenticalForOneAndTwoThreads(string kernelName)
    {
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        AssertSameBitsForOneAndTwoThreads(kernel, false, false, 64, 1024, 256);
        AssertSameBitsForOneAndTwoThreads(kernel, true, true, 257, 131, 300);
        AssertSameBitsForOneAndTwoThreads(kernel, false, true, 5, 2000, 40);
        // Split by columns: each part pairs its own panels for the three rows left after the tiles (9 = 6 + 3; 2,000
        // columns are 125 panels of 16 on AVX2: parts of 62 and 63, the second leaving its last panel without a partner).
        AssertSameBitsForOneAndTwoThreads(kernel, false, false, 9, 2000, 300);
        AssertSameBitsForOneAndTwoThreads(kernel, true, false, 2, 3000, 400);
    }

    private static void AssertSameBitsForOneAndTwoThreads(GemmKernel kernel, bool transposeA, bool transposeB, int m, int n, int k)
    {
        float[] a = Random(m * k, 3), b = Random(k * n, 4);
        float[] one = Random(m * n, 5), two = (float[])one.Clone();
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        Gemm.Multiply(kernel, transposeA, transposeB, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, one, n, threads: 1);
        Gemm.Multiply(kernel, transposeA, transposeB, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, two, n, threads: 2);
        Assert.Equal(one, two);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void PackedBGivesTheSameBitsAsUnpacked(string kernelName)
    {
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        AssertPackedMatchesUnpacked(kernel, false, false, 3, 45, 17);
        AssertPackedMatchesUnpacked(kernel, true, true, 64, 1024, 300);
        AssertPackedMatchesUnpacked(kernel, false, true, 129, 33, 513);
    }

    [Fact]
    public void PackedBIsRejectedByAKernelWithOtherPanels()
    {
        PackedMatrix packed = Gemm.Pack(GemmKernel.Vector128, false, 4, 4, new float[16], 4);
        foreach (GemmKernel kernel in SupportedKernels.Where(kernel => kernel != GemmKernel.Vector128))
            Assert.Throws<ArgumentException>(() => Gemm.Multiply(kernel, false, 4, 1f, new float[16], 4, packed, 0f, new float[16], 4));
    }

    private static void AssertPackedMatchesUnpacked(GemmKernel kernel, bool transposeA, bool transposeB, int m, int n, int k)
    {
        float[] a = Random(m * k, 6), b = Random(k * n, 7);
        float[] unpacked = Random(m * n, 8), packed = (float[])unpacked.Clone();
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        Gemm.Multiply(kernel, transposeA, transposeB, m, n, k, 0.5f, a, lda, b, ldb, 1f, unpacked, n, threads: 2);
        PackedMatrix packedB = Gemm.Pack(kernel, transposeB, k, n, b, ldb);
        Gemm.Multiply(kernel, transposeA, m, 0.5f, a, lda, packedB, 1f, packed, n, threads: 2);
        Assert.Equal(unpacked, packed);

        // Repacking new values in place is seen by the next multiply.
        float[] doubled = b.Select(value => 2f * value).ToArray();
        Gemm.PackInto(packedB, transposeB, doubled, ldb);
        Gemm.Multiply(kernel, transposeA, transposeB, m, n, k, 0.5f, a, lda, doubled, ldb, 0f, unpacked, n);
        Gemm.Multiply(kernel, transposeA, m, 0.5f, a, lda, packedB, 0f, packed, n);
        Assert.Equal(unpacked, packed);
    }

    [Fact]
    public void RejectsOperandsThatAreTooShort()
    {
        Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, 4, 1f, new float[16], 4, Gemm.Pack(false, 4, 4, new float[16], 4), 0f, new float[15], 4));
    }

    /// <summary>actual[start, start+length) has the bits of expected there; everything else still holds initial.</summary>
    private static void AssertSameBits(float[] initial, float[] expected, float[] actual, int start, int length, string context)
    {
        for (int index = start; index < start + length; index++)
        {
            if (BitConverter.SingleToInt32Bits(expected[index]) != BitConverter.SingleToInt32Bits(actual[index]))
                Assert.Fail($"Element {index}: {actual[index]:R} differs from {expected[index]:R} ({context}).");
        }

        Assert.Equal(initial.AsSpan(0, start).ToArray(), actual.AsSpan(0, start).ToArray());
        Assert.Equal(initial.AsSpan(start + length).ToArray(), actual.AsSpan(start + length).ToArray());
    }

    private static void AssertMatchesReference(
        GemmKernel kernel, bool transposeA, bool transposeB, int m, int n, int k, float alpha, float beta, int padding, int threads)
    {
        int lda = (transposeA ? m : k) + padding, ldb = (transposeB ? k : n) + padding, ldc = n + padding;
        float[] a = Random((transposeA ? k : m) * lda, 11), b = Random((transposeB ? n : k) * ldb, 12);
        float[] c = Random(m * ldc, 13);
        if (beta == 0f)
            Array.Fill(c, float.NaN);
        double[] expected = c.Select(value => (double)value).ToArray();
        Gemm.ReferenceMultiply(
            transposeA, transposeB, m, n, k, alpha, a.Select(v => (double)v).ToArray(), lda,
            b.Select(v => (double)v).ToArray(), ldb, beta, expected, ldc);

        Gemm.Multiply(kernel, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int index = i * ldc + j;
                if (j >= n)
                {
                    // Padding between rows of C is never written.
                    Assert.Equal(beta == 0f ? float.NaN : (float)expected[index], c[index]);
                    continue;
                }

                // Float accumulation of k products of values in [−1, 1]: error grows like k·ε.
                double tolerance = 1e-6 * (k + 1) * Math.Abs(alpha) + 1e-6;
                Assert.True(
                    Math.Abs(c[index] - expected[index]) <= tolerance,
                    $"C[{i},{j}] = {c[index]}, expected {expected[index]} (tA={transposeA}, tB={transposeB}, m={m}, n={n}, k={k}, beta={beta})");
            }
        }
    }

    [Fact]
    public void PackedAPanelsHoldOpAForEveryPanelHeight()
    {
        // The pack uses no kernel's instructions, so every panel height (MR = 8, 6) is checked on any CPU: whole and
        // partial panels, depths that are and are not multiples of four, an offset block, both transposes.
        foreach ((int rows, int depth) in new[] { (1, 1), (6, 4), (8, 8), (13, 7), (24, 33), (23, 256) })
        foreach (bool transposeA in new[] { false, true })
        {
            AssertPacksA<Avx512MicroKernel>(transposeA, rows, depth);
            AssertPacksA<Avx2MicroKernel>(transposeA, rows, depth);
            AssertPacksA<Vector128MicroKernel>(transposeA, rows, depth);
        }
    }

    private static unsafe void AssertPacksA<TKernel>(bool transposeA, int rows, int depth) where TKernel : struct, IGemmMicroKernel
    {
        const int i0 = 3, p0 = 2;
        int mr = TKernel.Rows, m = i0 + rows + 1, k = p0 + depth + 5;
        int lda = (transposeA ? m : k) + 3;
        float[] a = Random((transposeA ? k : m) * lda, 31);
        int panels = (rows + mr - 1) / mr;
        var packed = new float[panels * mr * depth];
        Array.Fill(packed, float.NaN);
        fixed (float* aPointer = a)
        fixed (float* packedPointer = packed)
            GemmDriver<TKernel>.PackA(transposeA, aPointer, lda, i0, p0, rows, depth, packedPointer);
        for (int panel = 0; panel < panels; panel++)
        for (int p = 0; p < depth; p++)
        for (int r = 0; r < mr; r++)
        {
            int i = panel * mr + r;
            float expected = i >= rows ? 0f : transposeA ? a[(p0 + p) * lda + i0 + i] : a[(i0 + i) * lda + p0 + p];
            Assert.Equal(expected, packed[panel * mr * depth + p * mr + r]);
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void AddingABiasGivesTheBitsOfCFilledWithItFirst(string kernelName)
    {
        // The first depth block stores over the bias where it would read C: the same FMA, so the same bits, in full and
        // clipped tiles, the few-rows kernels (1 to 4 rows, and the rows left after whole tiles), one and several depth
        // blocks, and on two threads (split by rows or by columns).
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        foreach (int m in new[] { 1, 2, 3, 4, 5, 7, 13, 64, 100 })
        foreach ((int n, int k) in new[] { (1, 1), (17, 5), (40, 256), (100, 300), (515, 64), (64, 600) })
        {
            PackedMatrix packed = Gemm.Pack(kernel, false, k, n, Random(k * n, 31), n);
            int ldc = n + 3;
            float[] a = Random(m * k, 32), bias = Random(n, 33), initial = Random(m * ldc, 34);
            float[] expected = (float[])initial.Clone();
            for (int i = 0; i < m; i++)
                bias.CopyTo(expected.AsSpan(i * ldc, n));
            Gemm.Multiply(kernel, false, m, 1f, a, k, packed, 1f, expected, ldc);
            foreach (int threads in new[] { 1, 2 })
            {
                float[] actual = (float[])initial.Clone();
                Gemm.MultiplyAddingBias(kernel, m, a, k, packed, bias, actual, ldc, threads);
                Assert.True(
                    expected.Select(BitConverter.SingleToInt32Bits).SequenceEqual(actual.Select(BitConverter.SingleToInt32Bits)),
                    $"{kernel} m={m} n={n} k={k} threads={threads}");
            }
        }
        PackedMatrix small = Gemm.Pack(kernel, false, 4, 6, new float[24], 6);
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyAddingBias(kernel, 1, new float[4], 4, small, new float[5], new float[6], 6));
    }

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(2 * random.NextDouble() - 1);
        return values;
    }
}
