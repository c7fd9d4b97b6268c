using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

/// <summary><see cref="Int8Rows"/>: the int8 product's left operand rounded to integers in [−63, 63] per row, stored offset as bytes.</summary>
public unsafe class Int8RowsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(41)]
    [InlineData(70)]
    public void EachValueIsItsRowsNearestStep(int depth)
    {
        // Every length crosses the 256-bit, 128-bit and scalar loops differently; each must round as the scalar does.
        const int rows = 3, lda = 75;
        float[] a = QuantizedMatrixTests.Random(rows * lda, depth, scale: 2f);
        int stride = Int8Rows.PaddedDepth(depth);
        var quantized = new byte[rows * stride];
        var scales = new float[rows];
        fixed (float* source = a)
        fixed (byte* target = quantized)
        fixed (float* scale = scales)
            Int8Rows.Quantize(rows, depth, source, lda, target, scale);
        for (int i = 0; i < rows; i++)
        {
            float largest = a.AsSpan(i * lda, depth).ToArray().Max(MathF.Abs);
            Assert.Equal(largest / Int8Rows.Limit, scales[i]);
            float inverse = Int8Rows.Limit / largest;
            for (int p = 0; p < depth; p++)
            {
                int q = quantized[i * stride + p] - Int8Rows.Offset;
                Assert.Equal((int)MathF.Round(a[i * lda + p] * inverse, MidpointRounding.ToEven), q);
                // Half a step, and the few ulps by which Limit / largest differs from 1 / scale near the row's largest value.
                Assert.True(Math.Abs(a[i * lda + p] - q * (double)scales[i]) <= scales[i] * 0.51, $"row {i} depth {p}");
            }
            // Past the row's end, up to whole quads: zeros.
            for (int p = depth; p < stride; p++)
                Assert.Equal(Int8Rows.Offset, quantized[i * stride + p]);
            Assert.Contains(quantized.AsSpan(i * stride, depth).ToArray(), q => Math.Abs(q - Int8Rows.Offset) == Int8Rows.Limit);
            Assert.All(quantized.AsSpan(i * stride, stride).ToArray(), q => Assert.InRange(q, 1, 127));
        }
    }

    [Fact]
    public void ZerosKeepScaleZeroAndNonFiniteRowsGetNaN()
    {
        // Rows of 17 so the 256-bit, 128-bit and scalar loops all see them: zeros, a NaN, an infinity, and values too
        // small for 63 / max (1e-38 is below 63 / float.MaxValue): every width must give them the same zeros,
        // not overflowed integers.
        const int depth = 17;
        float[] a = new float[4 * depth];
        a[1 * depth + 3] = float.NaN;
        a[2 * depth + 16] = float.PositiveInfinity;
        for (int p = 0; p < depth; p++)
            a[3 * depth + p] = (p % 3 - 1) * 1e-38f;
        var quantized = new byte[4 * Int8Rows.PaddedDepth(depth)];
        quantized.AsSpan().Fill(99);
        var scales = new float[4];
        fixed (float* source = a)
        fixed (byte* target = quantized)
        fixed (float* scale = scales)
            Int8Rows.Quantize(4, depth, source, depth, target, scale);
        Assert.Equal(0f, scales[0]);
        Assert.True(float.IsNaN(scales[1]));
        Assert.True(float.IsNaN(scales[2]));
        Assert.Equal(0f, scales[3]);
        Assert.All(quantized, q => Assert.Equal(Int8Rows.Offset, q));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(21)]
    [InlineData(64)]
    public void LargestMagnitudeFindsEveryNaNAndInfinityWhereverItIs(int length)
    {
        // The vector part and the scalar tail both: a NaN anywhere wins (before or after an infinity), then an infinity.
        float[] values = QuantizedMatrixTests.Random(length, 81, scale: 3f);
        Assert.Equal(values.Max(MathF.Abs), Largest(values));
        for (int at = 0; at < length; at++)
        {
            float[] withNaN = (float[])values.Clone();
            withNaN[at] = float.NaN;
            withNaN[length - 1 - at] = at == length - 1 - at ? float.NaN : float.NegativeInfinity;
            Assert.True(float.IsNaN(Largest(withNaN)), $"NaN at {at} of {length}");
            float[] withInfinity = (float[])values.Clone();
            withInfinity[at] = float.NegativeInfinity;
            Assert.Equal(float.PositiveInfinity, Largest(withInfinity));
        }
        Assert.Equal(0f, Largest(new float[length]));
    }

    private static float Largest(float[] values)
    {
        fixed (float* x = values)
            return Int8Rows.LargestMagnitude(x, values.Length);
    }
}
