using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

/// <summary><see cref="Int16Rows"/>: the int8 product's left operand rounded to 16 bits per row.</summary>
public unsafe class Int16RowsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(41)]
    public void EachValueIsItsRowsNearestStep(int depth)
    {
        // Every length crosses the 256-bit, 128-bit and scalar loops differently; each must round as the scalar does.
        const int rows = 3, lda = 45;
        float[] a = QuantizedMatrixTests.Random(rows * lda, depth, scale: 2f);
        int stride = Int16Rows.PaddedDepth(depth);
        var quantized = new short[rows * stride];
        var scales = new float[rows];
        fixed (float* source = a)
        fixed (short* target = quantized)
        fixed (float* scale = scales)
            Int16Rows.Quantize(rows, depth, source, lda, target, scale);
        for (int i = 0; i < rows; i++)
        {
            float largest = a.AsSpan(i * lda, depth).ToArray().Max(MathF.Abs);
            Assert.Equal(largest / Int16Rows.Limit, scales[i]);
            float inverse = Int16Rows.Limit / largest;
            for (int p = 0; p < depth; p++)
            {
                short q = quantized[i * stride + p];
                Assert.Equal((short)MathF.Round(a[i * lda + p] * inverse, MidpointRounding.ToEven), q);
                // Half a step, and the few ulps by which Limit / largest differs from 1 / scale near the row's largest value.
                Assert.True(Math.Abs(a[i * lda + p] - q * (double)scales[i]) <= scales[i] * 0.51, $"row {i} depth {p}");
            }
            if (stride != depth)
                Assert.Equal(0, quantized[i * stride + depth]);
            Assert.Contains(quantized.AsSpan(i * stride, depth).ToArray(), q => Math.Abs((int)q) == Int16Rows.Limit);
        }
    }

    [Fact]
    public void ZerosKeepScaleZeroAndNonFiniteRowsGetNaN()
    {
        // Rows of 17 so the 256-bit, 128-bit and scalar loops all see them: zeros, a NaN, an infinity, and values too
        // small for 32767 / max (1e-35 is below 32767 / float.MaxValue): every width must give them the same zeros,
        // not overflowed integers.
        const int depth = 17;
        float[] a = new float[4 * depth];
        a[1 * depth + 3] = float.NaN;
        a[2 * depth + 16] = float.PositiveInfinity;
        for (int p = 0; p < depth; p++)
            a[3 * depth + p] = (p % 3 - 1) * 1e-35f;
        var quantized = new short[4 * Int16Rows.PaddedDepth(depth)];
        quantized.AsSpan().Fill(99);
        var scales = new float[4];
        fixed (float* source = a)
        fixed (short* target = quantized)
        fixed (float* scale = scales)
            Int16Rows.Quantize(4, depth, source, depth, target, scale);
        Assert.Equal(0f, scales[0]);
        Assert.True(float.IsNaN(scales[1]));
        Assert.True(float.IsNaN(scales[2]));
        Assert.Equal(0f, scales[3]);
        Assert.All(quantized, q => Assert.Equal(0, q));
    }
}
