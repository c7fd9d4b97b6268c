using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

public class QuantizedMatrixTests
{
    [Fact]
    public void BFloat16RoundingMatchesAScalarReferenceOfRoundToNearestEven()
    {
        var random = new Random(5);
        var values = new List<float>
        {
            0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, 1e-40f, float.MaxValue / 2, 3.3895314e38f, 1.00390625f, 1.01171875f, 1.0078125f,
            BitConverter.UInt32BitsToSingle(0x3F808000), // exactly half way, even below: stays
            BitConverter.UInt32BitsToSingle(0x3F818000), // exactly half way, odd below: rounds up
            BitConverter.UInt32BitsToSingle(0x3F808001), // just above half way
            BitConverter.UInt32BitsToSingle(0x3F807FFF), // just below half way
            BitConverter.UInt32BitsToSingle(0x007FFFFF), // largest subnormal
        };
        for (int i = 0; i < 20_000; i++)
            values.Add(BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 0x7F7F0000L)) * (random.Next(2) == 0 ? 1 : -1));
        foreach (float value in values)
            Assert.Equal(ReferenceBFloat16(value), QuantizedMatrix.ToBFloat16(value));
        Assert.True(float.IsNaN(QuantizedMatrix.FromBFloat16(QuantizedMatrix.ToBFloat16(float.NaN))));
    }

    [Fact]
    public void BFloat16WeightsWidenBackExactlyAndAreTheNearestBFloat16()
    {
        float[] weights = Random(7 * 33, 1, scale: 3f);
        QuantizedMatrix matrix = QuantizedMatrix.Quantize(WeightFormat.BFloat16, weights, 7, 33);
        var widened = new float[weights.Length];
        matrix.Dequantize(widened);
        for (int i = 0; i < weights.Length; i++)
        {
            Assert.Equal(ReferenceBFloat16(weights[i]), matrix.BFloat16Values![i]);
            Assert.Equal(BitConverter.SingleToUInt32Bits(widened[i]), (uint)matrix.BFloat16Values[i] << 16);
            // Half a unit in the last of bfloat16's 8 significant bits, relative.
            Assert.True(Math.Abs(widened[i] - weights[i]) <= Math.Abs(weights[i]) * (1.0 / 256), $"weight {i}: {weights[i]} → {widened[i]}");
        }
    }

    [Fact]
    public void Int8QuantizationErrorIsAtMostHalfAScalePerWeight()
    {
        const int rows = 9, columns = 40;
        float[] weights = Random(rows * columns, 2, scale: 1f);
        for (int j = 0; j < columns; j++)
        {
            weights[2 * columns + j] = 0f;              // a row of zeros: scale 0
            weights[3 * columns + j] *= 1e-6f;          // tiny weights
            weights[4 * columns + j] *= 1000f;          // large ones
        }
        weights[5 * columns + 7] = -weights[5 * columns + 7] * 50; // one outlier sets the row's scale
        QuantizedMatrix matrix = QuantizedMatrix.Quantize(WeightFormat.Int8, weights, rows, columns);
        var dequantized = new float[weights.Length];
        matrix.Dequantize(dequantized);
        for (int r = 0; r < rows; r++)
        {
            float largest = 0f;
            for (int j = 0; j < columns; j++)
                largest = Math.Max(largest, Math.Abs(weights[r * columns + j]));
            float scale = matrix.RowScales![r];
            Assert.Equal(largest / 127f, scale);
            for (int j = 0; j < columns; j++)
            {
                int i = r * columns + j;
                sbyte q = matrix.Int8Values![i];
                Assert.InRange(q, -127, 127);
                // Exact in double: q·s − w is the quantization error itself.
                Assert.True(Math.Abs(q * (double)scale - weights[i]) <= scale / 2.0, $"row {r} column {j}: w {weights[i]}, q {q}, s {scale}");
                Assert.Equal(q * scale, dequantized[i]);
            }
        }
        Assert.All(matrix.Int8Values!.AsSpan(2 * columns, columns).ToArray(), q => Assert.Equal(0, q));
        Assert.Equal(127, Math.Abs((int)matrix.Int8Values![5 * columns + 7]));
    }

    [Fact]
    public void RefusesWhatAFileMustNotHold()
    {
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.Quantize(WeightFormat.Int8, [1f, float.NaN], 1, 2));
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.Quantize(WeightFormat.BFloat16, [float.MaxValue, 0f], 1, 2));
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.FromBFloat16(1, 2, [0x3F80, 0x7F80]));
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.FromInt8(1, 2, [1, -128], [0.5f]));
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.FromInt8(1, 2, [1, 2], [-0.5f]));
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.FromInt8(1, 2, [1, 2], [float.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => QuantizedMatrix.FromInt8(2, 2, [1, 2], [1f, 1f]));
    }

    /// <summary>The bfloat16 nearest <paramref name="value"/>, ties to the even one, found by comparing the two neighbours in double.</summary>
    internal static ushort ReferenceBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        ushort below = (ushort)(bits >> 16), above = (ushort)(below + 1); // toward zero, and the next one away from it
        double distanceBelow = Math.Abs((double)value - QuantizedMatrix.FromBFloat16(below));
        double distanceAbove = Math.Abs((double)value - QuantizedMatrix.FromBFloat16(above));
        if (distanceBelow != distanceAbove)
            return distanceBelow < distanceAbove ? below : above;
        return (below & 1) == 0 ? below : above;
    }

    internal static float[] Random(int length, int seed, float scale)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(2 * random.NextDouble() - 1) * scale;
        return values;
    }
}
