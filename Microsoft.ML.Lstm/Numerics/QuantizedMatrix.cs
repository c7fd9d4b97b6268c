namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A weight matrix W [rows × columns] (row-major, as the network stores it: one row per output unit) kept in a
/// compressed <see cref="WeightFormat"/>: bfloat16, or int8 with one scale per row. This is what a model file holds
/// and what <see cref="CompressedGemm.Pack(QuantizedMatrix)"/> packs for the kernels; <see cref="Dequantize"/> gives
/// the float weights it stands for.
/// </summary>
/// <remarks>
/// <para>bfloat16: each float rounded to its upper 16 bits, to nearest with ties to even (the rounding of
/// PyTorch's <c>tensor.bfloat16()</c> and of AVX512_BF16's VCVTNEPS2BF16); it widens back exactly, w = bits &lt;&lt; 16.</para>
/// <para>int8: row r gets s_r = max_j |W[r, j]| / 127 and q = round(W / s_r) in [−127, 127] (ties to even), so each
/// weight is off by at most s_r / 2; a row of zeros has s_r = 0. The weight stands for s_r·q, and the kernels compute
/// s_r · t_i · Σ_p round(a_p / t_i)·q_p, with A's row i rounded to integers in [−63, 63] on its own scale t_i
/// (<see cref="Int8Rows"/>) and the sum exact in integers (<see cref="Int8Kernel{TQuads, TFloat}"/>): the scales are
/// applied once, when C is stored.</para>
/// </remarks>
internal sealed class QuantizedMatrix
{
    /// <summary>The largest |q| an int8 weight takes.</summary>
    public const int Int8Limit = 127;

    private QuantizedMatrix(WeightFormat format, int rows, int columns, ushort[]? bfloat16, sbyte[]? int8, float[]? scales)
    {
        Format = format;
        Rows = rows;
        Columns = columns;
        BFloat16Values = bfloat16;
        Int8Values = int8;
        RowScales = scales;
    }

    /// <summary>How each weight is stored.</summary>
    public WeightFormat Format { get; }

    /// <summary>Rows of W (output units).</summary>
    public int Rows { get; }

    /// <summary>Columns of W (inputs).</summary>
    public int Columns { get; }

    /// <summary>The bfloat16 bits, row-major; null for int8.</summary>
    public ushort[]? BFloat16Values { get; }

    /// <summary>The int8 values, row-major; null for bfloat16.</summary>
    public sbyte[]? Int8Values { get; }

    /// <summary>One scale per row for int8; null for bfloat16.</summary>
    public float[]? RowScales { get; }

    /// <summary>Bytes the compressed weights take (values and scales).</summary>
    public long ByteCount => (long)Rows * Columns * (Format == WeightFormat.BFloat16 ? 2 : 1) + (RowScales?.Length ?? 0) * sizeof(float);

    /// <summary>Compresses the float matrix <paramref name="values"/> [rows × columns].</summary>
    /// <exception cref="ArgumentException">A weight is not finite, or too large for bfloat16.</exception>
    public static QuantizedMatrix Quantize(WeightFormat format, ReadOnlySpan<float> values, int rows, int columns)
    {
        CheckShape(rows, columns, values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Weight {i} is {values[i]}; only finite weights can be compressed.", nameof(values));
        }
        if (format == WeightFormat.BFloat16)
        {
            var bits = new ushort[values.Length];
            for (int i = 0; i < bits.Length; i++)
            {
                bits[i] = ToBFloat16(values[i]);
                if (!float.IsFinite(FromBFloat16(bits[i])))
                    throw new ArgumentException($"Weight {i} ({values[i]}) is beyond bfloat16's range.", nameof(values));
            }
            return new QuantizedMatrix(format, rows, columns, bits, null, null);
        }
        if (format != WeightFormat.Int8)
            throw new ArgumentOutOfRangeException(nameof(format), format, "No such weight format.");

        var quantized = new sbyte[values.Length];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = values.Slice(r * columns, columns);
            float largest = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(row);
            float scale = Math.Abs(largest) / Int8Limit;
            scales[r] = scale;
            if (scale == 0f)
                continue;
            for (int j = 0; j < columns; j++)
            {
                // In double, so that q is the integer nearest w / s itself, not to a rounded quotient.
                double q = Math.Round(row[j] / (double)scale, MidpointRounding.ToEven);
                quantized[r * columns + j] = (sbyte)Math.Clamp(q, -Int8Limit, Int8Limit);
            }
        }
        return new QuantizedMatrix(format, rows, columns, null, quantized, scales);
    }

    /// <summary>bfloat16 weights as read from a file.</summary>
    /// <exception cref="ArgumentException">The sizes disagree, or a value is not a finite number.</exception>
    public static QuantizedMatrix FromBFloat16(int rows, int columns, ushort[] values)
    {
        CheckShape(rows, columns, values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            if ((values[i] & 0x7F80) == 0x7F80)
                throw new ArgumentException($"The bfloat16 weight {i} (0x{values[i]:X4}) is not a finite number.", nameof(values));
        }
        return new QuantizedMatrix(WeightFormat.BFloat16, rows, columns, values, null, null);
    }

    /// <summary>int8 weights and their row scales as read from a file.</summary>
    /// <exception cref="ArgumentException">The sizes disagree, a value is −128, or a scale is negative or not finite.</exception>
    public static QuantizedMatrix FromInt8(int rows, int columns, sbyte[] values, float[] scales)
    {
        CheckShape(rows, columns, values.Length);
        if (scales.Length != rows)
            throw new ArgumentException($"{scales.Length} row scales for {rows} rows.", nameof(scales));
        for (int r = 0; r < rows; r++)
        {
            if (!float.IsFinite(scales[r]) || scales[r] < 0f)
                throw new ArgumentException($"The scale of row {r} is {scales[r]}; expected a finite value ≥ 0.", nameof(scales));
        }
        int outside = Array.IndexOf(values, sbyte.MinValue);
        if (outside >= 0)
            throw new ArgumentException($"The int8 weight {outside} is −128; expected −{Int8Limit} to {Int8Limit}.", nameof(values));
        return new QuantizedMatrix(WeightFormat.Int8, rows, columns, null, values, scales);
    }

    /// <summary>Writes the float weights this matrix stands for: bits &lt;&lt; 16, or s_r·q rounded to float.</summary>
    public void Dequantize(Span<float> destination)
    {
        if (destination.Length != Rows * Columns)
            throw new ArgumentException($"The destination holds {destination.Length} values; the matrix has {Rows * Columns}.", nameof(destination));
        if (BFloat16Values is ushort[] bits)
        {
            for (int i = 0; i < bits.Length; i++)
                destination[i] = FromBFloat16(bits[i]);
            return;
        }
        sbyte[] values = Int8Values!;
        for (int r = 0; r < Rows; r++)
        {
            float scale = RowScales![r];
            for (int j = 0; j < Columns; j++)
                destination[r * Columns + j] = values[r * Columns + j] * scale;
        }
    }

    /// <summary>A matrix of the given rows of this one, in that order, with their values and scales as they are (nothing is quantized again).</summary>
    public QuantizedMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        if (rows.IsEmpty)
            throw new ArgumentException("Select at least one row.", nameof(rows));
        int n = Columns;
        ushort[]? bits = BFloat16Values is null ? null : new ushort[rows.Length * n];
        sbyte[]? values = Int8Values is null ? null : new sbyte[rows.Length * n];
        float[]? scales = RowScales is null ? null : new float[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            if ((uint)row >= (uint)Rows)
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"The matrix has rows 0 to {Rows - 1}.");
            if (bits is not null)
                BFloat16Values.AsSpan(row * n, n).CopyTo(bits.AsSpan(i * n, n));
            if (values is not null)
                Int8Values.AsSpan(row * n, n).CopyTo(values.AsSpan(i * n, n));
            if (scales is not null)
                scales[i] = RowScales![row];
        }
        return new QuantizedMatrix(Format, rows.Length, n, bits, values, scales);
    }

    /// <summary>The weight at (row, column) of the matrix before the row scale: the widened bfloat16 value, or q.</summary>
    public float Unscaled(int row, int column) =>
        BFloat16Values is ushort[] bits ? FromBFloat16(bits[row * Columns + column]) : Int8Values![row * Columns + column];

    /// <summary>The scale of a row: 1 for bfloat16.</summary>
    public float Scale(int row) => RowScales?[row] ?? 1f;

    /// <summary>The bfloat16 nearest <paramref name="value"/> (ties to even); a NaN stays a (quiet) NaN.</summary>
    public static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return (ushort)((bits >> 16) | 0x40);
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>The float a bfloat16 stands for, exactly.</summary>
    public static float FromBFloat16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    private static void CheckShape(int rows, int columns, int length)
    {
        if (rows <= 0 || columns <= 0 || (long)rows * columns != length)
            throw new ArgumentException($"A {rows}×{columns} matrix needs {(long)rows * columns} values; {length} were given.");
    }
}
