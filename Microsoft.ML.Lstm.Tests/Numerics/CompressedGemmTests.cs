using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

/// <summary>
/// The compressed GEMM at every vector width it has (256-bit and 128-bit, tested on any machine that runs them, as
/// <see cref="GemmTests"/> tests the narrower float kernels), in both weight formats.
/// </summary>
public class CompressedGemmTests
{
    /// <summary>m, n, k: one row, the few-rows shapes, row groups of four with a remainder, n off the panels, k across two depth blocks.</summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 512, 128), (2, 37, 5), (3, 129, 31), (4, 16, 8), (5, 200, 3), (11, 65, 257), (50, 512, 128), (7, 300, 600),
    ];

    private static readonly WeightFormat[] Formats = [WeightFormat.BFloat16, WeightFormat.Int8];

    /// <summary>Every width this CPU runs compressed products at.</summary>
    public static TheoryData<string, string> WidthsAndFormats
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (WeightFormat format in Formats)
            {
                foreach (GemmKernel kernel in WidthsOf(format))
                    data.Add(kernel.ToString(), format.ToString());
            }
            return data;
        }
    }

    private static IEnumerable<GemmKernel> WidthsOf(WeightFormat format) =>
        Enum.GetValues<GemmKernel>().Where(kernel => CompressedGemm.IsSupported(kernel, format));

    [Fact]
    public void EveryWidthIsTestedOnThisMachine()
    {
        // The 128-bit width is what ARM64 runs; it must be covered on x64 too. bfloat16 runs at the float GEMM's widest
        // (512-bit with AVX-512), int8 at 256 bits at most.
        foreach (WeightFormat format in Formats)
            Assert.Contains(GemmKernel.Vector128, WidthsOf(format));
        Assert.Equal(Gemm.IsSupported(GemmKernel.Avx512), CompressedGemm.IsSupported(GemmKernel.Avx512, WeightFormat.BFloat16));
        Assert.False(CompressedGemm.IsSupported(GemmKernel.Avx512, WeightFormat.Int8));
        Assert.Equal(Gemm.BestKernel == GemmKernel.Avx512, CompressedGemm.BestKernelFor(WeightFormat.BFloat16) == GemmKernel.Avx512);
    }

    [Theory]
    [MemberData(nameof(WidthsAndFormats))]
    public void MatchesADoubleReferenceOfTheScaledProduct(string width, string formatName)
    {
        GemmKernel kernel = Enum.Parse<GemmKernel>(width);
        WeightFormat format = Enum.Parse<WeightFormat>(formatName);
        foreach ((int m, int n, int k) in Shapes)
        foreach (float beta in new[] { 0f, 1f, 0.5f })
        {
            QuantizedMatrix weights = QuantizedMatrix.Quantize(format, QuantizedMatrixTests.Random(n * k, 11, scale: 0.5f), n, k);
            CompressedPackedMatrix packed = CompressedGemm.Pack(kernel, weights);
            int lda = k + 3, ldc = n + 2;
            float[] a = QuantizedMatrixTests.Random(m * lda, 12, scale: 1f), c = QuantizedMatrixTests.Random(m * ldc, 13, scale: 1f);
            float[] initial = (float[])c.Clone();
            CompressedGemm.Multiply(m, 0.75f, a, lda, packed, beta, c, ldc);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = 0, magnitude = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double term = a[i * lda + p] * (double)weights.Unscaled(j, p);
                        sum += term;
                        magnitude += Math.Abs(term);
                    }
                    double scale = 0.75 * weights.Scale(j);
                    double expected = scale * sum + (beta == 0f ? 0 : beta * (double)initial[i * ldc + j]);
                    double tolerance = 1e-6 * (Math.Abs(scale) * magnitude + Math.Abs(beta * initial[i * ldc + j])) + 1e-30;
                    if (format == WeightFormat.Int8)
                    {
                        // A's row rounded to [−63, 63]: each value off by about half its row's step, max |a| / 63 (Int8RowsTests).
                        double step = a.AsSpan(i * lda, k).ToArray().Max(Math.Abs) / Int8Rows.Limit;
                        double weightMagnitude = 0;
                        for (int p = 0; p < k; p++)
                            weightMagnitude += Math.Abs(weights.Unscaled(j, p));
                        tolerance += Math.Abs(scale) * step * 0.51 * weightMagnitude;
                    }
                    Assert.True(Math.Abs(c[i * ldc + j] - expected) <= tolerance, $"{width} {format} m={m} n={n} k={k} beta={beta} C[{i},{j}] = {c[i * ldc + j]}, expected {expected}");
                }
                // Padding between rows of C is never written.
                for (int j = n; j < ldc && i * ldc + j < c.Length; j++)
                    Assert.Equal(initial[i * ldc + j], c[i * ldc + j]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndFormats))]
    public void AnyRowsAndThreadsGiveEachElementTheSameBits(string width, string formatName)
    {
        // Rows alone, in twos, threes and fours, inside a larger product and on two threads: one FMA chain (bfloat16) or
        // one exact integer sum (int8) per element and depth block.
        GemmKernel kernel = Enum.Parse<GemmKernel>(width);
        WeightFormat format = Enum.Parse<WeightFormat>(formatName);
        const int large = 41, n = 515, k = 300; // 41·515·300 multiply-adds: above the two-thread threshold
        QuantizedMatrix weights = QuantizedMatrix.Quantize(format, QuantizedMatrixTests.Random(n * k, 21, scale: 0.3f), n, k);
        CompressedPackedMatrix packed = CompressedGemm.Pack(kernel, weights);
        float[] a = QuantizedMatrixTests.Random(large * k, 22, scale: 1f), initial = QuantizedMatrixTests.Random(large * n, 23, scale: 1f);
        foreach (float beta in new[] { 0f, 0.5f })
        {
            float[] whole = (float[])initial.Clone();
            CompressedGemm.Multiply(large, 1.25f, a, k, packed, beta, whole, n, threads: 1);
            float[] twoThreads = (float[])initial.Clone();
            CompressedGemm.Multiply(large, 1.25f, a, k, packed, beta, twoThreads, n, threads: 2);
            Assert.Equal(whole, twoThreads);
            foreach (int m in new[] { 1, 2, 3, 4, 5, 6, 7 })
            foreach (int first in new[] { 0, 17, large - m })
            {
                float[] part = (float[])initial.Clone();
                CompressedGemm.Multiply(m, 1.25f, a.AsSpan(first * k), k, packed, beta, part.AsSpan(first * n), n);
                for (int index = 0; index < part.Length; index++)
                {
                    bool inside = index >= first * n && index < (first + m) * n;
                    float expected = inside ? whole[index] : initial[index];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(part[index]), $"{width} {format} m={m} from row {first}: element {index} is {part[index]:R}, expected {expected:R}");
                }
            }
        }
    }

    [Fact]
    public void EveryWidthGivesTheSameBits()
    {
        foreach (WeightFormat format in Formats)
        {
            QuantizedMatrix weights = QuantizedMatrix.Quantize(format, QuantizedMatrixTests.Random(203 * 300, 31, scale: 0.4f), 203, 300);
            float[] a = QuantizedMatrixTests.Random(9 * 300, 32, scale: 1f);
            float[][] results = [.. WidthsOf(format).Select(kernel =>
            {
                var c = new float[9 * 203];
                CompressedGemm.Multiply(9, 1f, a, 300, CompressedGemm.Pack(kernel, weights), 0f, c, 203);
                return c;
            })];
            foreach (float[] result in results)
                Assert.Equal(results[0], result);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndFormats))]
    public void BFloat16GivesTheFloatGemmsBitsOnTheWidenedWeights(string width, string formatName)
    {
        // With scale 1, widening is exact and the chains are the float GEMM's: the same bits (int8 rounds A to 7-bit integers
        // and applies the scales at the store, so it is only close, which the reference test bounds).
        if (formatName != nameof(WeightFormat.BFloat16))
            return;
        GemmKernel kernel = Enum.Parse<GemmKernel>(width);
        foreach ((int m, int n, int k) in Shapes)
        {
            QuantizedMatrix weights = QuantizedMatrix.Quantize(WeightFormat.BFloat16, QuantizedMatrixTests.Random(n * k, 41, scale: 0.5f), n, k);
            var widened = new float[n * k];
            weights.Dequantize(widened);
            float[] a = QuantizedMatrixTests.Random(m * k, 42, scale: 1f);
            float[] expected = QuantizedMatrixTests.Random(m * n, 43, scale: 1f), actual = (float[])expected.Clone();
            Gemm.Multiply(kernel, false, true, m, n, k, 0.75f, a, k, widened, k, 0.5f, expected, n);
            CompressedGemm.Multiply(m, 0.75f, a, k, CompressedGemm.Pack(kernel, weights), 0.5f, actual, n);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndFormats))]
    public void Int8SumsAreExactIntegers(string width, string formatName)
    {
        // Rows whose largest value is 63 and weights whose largest is 127 have scales of exactly 1, and sums below
        // 2²⁴ are floats exactly: C must be the integer dot product itself, across two depth blocks, for any rows.
        if (formatName != nameof(WeightFormat.Int8))
            return;
        GemmKernel kernel = Enum.Parse<GemmKernel>(width);
        const int m = 13, n = 70, k = 301;
        var random = new Random(61);
        float[] w = [.. Enumerable.Range(0, n * k).Select(i => i % k == 0 ? 127f : random.Next(-127, 128))];
        float[] a = [.. Enumerable.Range(0, m * k).Select(i => i % k == 5 ? Int8Rows.Limit : random.Next(-Int8Rows.Limit, Int8Rows.Limit + 1))];
        // The extremes, where VPMADDUBSW's 16-bit pairs would saturate if anything were off by one: rows of ±63 (bytes 127
        // and 1) against columns of ±127.
        a.AsSpan(0, k).Fill(Int8Rows.Limit);
        a.AsSpan(k, k).Fill(-Int8Rows.Limit);
        w.AsSpan(k, k).Fill(-127f);
        w.AsSpan(2 * k, k).Fill(127f);
        QuantizedMatrix weights = QuantizedMatrix.Quantize(WeightFormat.Int8, w, n, k);
        Assert.All(Enumerable.Range(0, n), j => Assert.Equal(1f, weights.Scale(j)));
        var c = new float[m * n];
        CompressedGemm.Multiply(m, 1f, a, k, CompressedGemm.Pack(kernel, weights), 0f, c, n);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                long sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (long)a[i * k + p] * (long)w[j * k + p];
                Assert.True(Math.Abs(sum) < 1 << 24, "the test's sums must be exact floats");
                Assert.Equal(sum, (long)c[i * n + j]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndFormats))]
    public void Int8RowsOfZerosAndOfNaNStayApart(string width, string formatName)
    {
        // A row of zeros gives zeros (scale 0, not 0/0); a row holding NaN gives NaN; the rows beside them are untouched by either.
        if (formatName != nameof(WeightFormat.Int8))
            return;
        GemmKernel kernel = Enum.Parse<GemmKernel>(width);
        const int m = 5, n = 40, k = 33;
        QuantizedMatrix weights = QuantizedMatrix.Quantize(WeightFormat.Int8, QuantizedMatrixTests.Random(n * k, 71, scale: 1f), n, k);
        CompressedPackedMatrix packed = CompressedGemm.Pack(kernel, weights);
        float[] a = QuantizedMatrixTests.Random(m * k, 72, scale: 1f);
        a.AsSpan(1 * k, k).Clear();
        float[] clean = (float[])a.Clone();
        a[3 * k + 7] = float.NaN;
        var c = new float[m * n];
        var reference = new float[m * n];
        CompressedGemm.Multiply(m, 1f, a, k, packed, 0f, c, n);
        CompressedGemm.Multiply(m, 1f, clean, k, packed, 0f, reference, n);
        for (int j = 0; j < n; j++)
        {
            Assert.Equal(0f, c[1 * n + j]);
            Assert.True(float.IsNaN(c[3 * n + j]));
            foreach (int i in new[] { 0, 2, 4 })
                Assert.Equal(reference[i * n + j], c[i * n + j]);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndFormats))]
    public void AddingABiasGivesTheBitsOfCFilledWithItFirst(string width, string formatName)
    {
        // The first depth block stores over the bias instead of reading it back from C (bfloat16's few-rows kernel, at most
        // four rows, has C filled first): the same fma, so the same bits, on every shape (clipped panels, two depth blocks,
        // one row, four-row tiles and bfloat16's tiled path) and on two threads.
        GemmKernel kernel = Enum.Parse<GemmKernel>(width);
        WeightFormat format = Enum.Parse<WeightFormat>(formatName);
        foreach ((int m, int n, int k) in Shapes.Append((41, 515, 300)))
        {
            QuantizedMatrix weights = QuantizedMatrix.Quantize(format, QuantizedMatrixTests.Random(n * k, 91, scale: 0.5f), n, k);
            CompressedPackedMatrix packed = CompressedGemm.Pack(kernel, weights);
            int ldc = n + 3;
            float[] a = QuantizedMatrixTests.Random(m * k, 92, scale: 1f), bias = QuantizedMatrixTests.Random(n, 93, scale: 2f);
            float[] expected = QuantizedMatrixTests.Random(m * ldc, 94, scale: 1f);
            float[] initial = (float[])expected.Clone();
            for (int i = 0; i < m; i++)
                bias.CopyTo(expected.AsSpan(i * ldc, n));
            CompressedGemm.Multiply(m, 1f, a, k, packed, 1f, expected, ldc);
            foreach (int threads in new[] { 1, 2 })
            {
                float[] actual = (float[])initial.Clone();
                CompressedGemm.MultiplyAddingBias(m, a, k, packed, bias, actual, ldc, threads);
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
            }
        }
        Assert.Throws<ArgumentException>(() => CompressedGemm.MultiplyAddingBias(
            1, new float[4], 4, CompressedGemm.Pack(kernel, QuantizedMatrix.Quantize(format, new float[6 * 4], 6, 4)), new float[5], new float[6], 6));
    }

    [Fact]
    public void PackingTakesHalfOrAQuarterOfTheFloatBytes()
    {
        float[] values = QuantizedMatrixTests.Random(512 * 128, 51, scale: 1f);
        PackedMatrix floats = Gemm.Pack(GemmKernel.Vector128, true, 128, 512, values, 128);
        Assert.Equal(512 * 128, floats.Depth * floats.PaddedColumns);
        CompressedPackedMatrix bfloat16 = CompressedGemm.Pack(GemmKernel.Vector128, QuantizedMatrix.Quantize(WeightFormat.BFloat16, values, 512, 128));
        CompressedPackedMatrix int8 = CompressedGemm.Pack(GemmKernel.Vector128, QuantizedMatrix.Quantize(WeightFormat.Int8, values, 512, 128));
        Assert.Equal(512 * 128 * 2 + 512 * 4, bfloat16.ByteCount);
        // int8 adds each column's starting sum per depth block (Int8Kernel): one block of 128 depths here.
        Assert.Equal(512 * 128 + 512 * 4 + 512 * 4, int8.ByteCount);
    }

    [Fact]
    public void RefusesOperandsOfTheWrongSize()
    {
        CompressedPackedMatrix packed = CompressedGemm.Pack(QuantizedMatrix.Quantize(WeightFormat.Int8, new float[6 * 4], 6, 4));
        Assert.Throws<ArgumentException>(() => CompressedGemm.Multiply(2, 1f, new float[7], 4, packed, 0f, new float[12], 6));
        Assert.Throws<ArgumentException>(() => CompressedGemm.Multiply(2, 1f, new float[8], 4, packed, 0f, new float[11], 6));
        Assert.Throws<ArgumentException>(() => CompressedGemm.Multiply(1, 1f, new float[8], 3, packed, 0f, new float[6], 6));
    }
}
