using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The int8 product's micro-kernels: C[rows × columns] = alpha · diag(rowScales) · (Q[rows × depth] · W[depth × columns])
/// · diag(columnScales) + beta · C, with Q the activations as 16-bit integers (<see cref="Int16Rows"/>) and W the int8
/// weights of a <see cref="CompressedPackedMatrix"/>, multiplied and summed in 32-bit integers, two depths per
/// instruction (VPMADDWD at 256 bits: 16 multiply-adds where an FMA does 8), and converted to float once per depth block.
/// </summary>
/// <remarks>
/// <para>
/// Each element's integer sum over the block is exact, so it does not depend on the order of the depths, the shape of
/// the kernel, the rows beside it, the thread or the vector width: every element of C is
/// v = float(sum)·rowScale, stored as m·v or fma(m, v, beta·C) with m = alpha·columnScale, lane-wise, or in scalar
/// rounding the same way at a clipped edge. A block's sum stays below 2³¹: 256 depths of products below 127·32767.
/// </para>
/// <para>
/// B panel q starts at b + q·<c>panelStride</c> bytes; its pair row r (depths 2r, 2r + 1) is NR columns × 2 bytes at
/// + r·2·NR, column j's two depths side by side; every panel is readable NR wide, columns past <c>columns</c> are
/// computed but not stored. Row i of Q starts at a + i·<c>lda</c> (shorts) and holds 2·pairs values.
/// </para>
/// </remarks>
internal static unsafe class Int8Kernel<TPairs, TFloat>
    where TPairs : struct, IInt16PairVector<TPairs, TFloat>
    where TFloat : struct, IFloatVector<TFloat>
{
    /// <summary>The most rows of C one call takes.</summary>
    public const int MaxRows = 5;

    /// <summary>NR: columns of one panel, two vectors.</summary>
    public static int PanelWidth => 2 * TFloat.Count;

    /// <summary>
    /// Computes <paramref name="rows"/> (1..5) rows of C over <paramref name="pairs"/> pairs of depths. One row runs
    /// four panels at once (eight sums beside the broadcast pair and the weights); more rows one panel at a time. Five
    /// rows hold ten sums, two weight vectors, a broadcast pair and a product: fourteen of AVX2's sixteen registers
    /// (six rows spill two sums every step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        int rows, int pairs, short* a, nint lda, float* rowScales, sbyte* b, nint panelStride, float* columnScales, int columns,
        float* c, nint ldc, float alpha, float beta, bool overwrite)
    {
        var store = new StoreParameters(alpha, beta, overwrite);
        int nr = PanelWidth;
        int* tile = stackalloc int[MaxRows * 2 * TFloat.Count];
        int j = 0;
        if (rows == 1)
        {
            for (; j + 4 * nr <= columns; j += 4 * nr, b += 4 * panelStride)
                OneRowFourPanels(pairs, a, b, panelStride, c + j, rowScales[0], columnScales + j, store);
            for (; j < columns; j += nr, b += panelStride)
                Tile<Rows1>(pairs, a, lda, b, c + j, ldc, rowScales, columnScales + j, columns - j, tile, store);
            return;
        }
        for (; j < columns; j += nr, b += panelStride)
        {
            switch (rows)
            {
                case 2:
                    Tile<Rows2>(pairs, a, lda, b, c + j, ldc, rowScales, columnScales + j, columns - j, tile, store);
                    break;
                case 3:
                    Tile<Rows3>(pairs, a, lda, b, c + j, ldc, rowScales, columnScales + j, columns - j, tile, store);
                    break;
                case 4:
                    Tile<Rows4>(pairs, a, lda, b, c + j, ldc, rowScales, columnScales + j, columns - j, tile, store);
                    break;
                case 5:
                    Tile<Rows5>(pairs, a, lda, b, c + j, ldc, rowScales, columnScales + j, columns - j, tile, store);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Takes 1 to {MaxRows} rows.");
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowFourPanels(int pairs, short* a, sbyte* b, nint panelStride, float* c, float rowScale, float* columnScales, StoreParameters store)
    {
        nint half = 2 * TFloat.Count, rowStride = 2 * half;
        TPairs c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int r = 0; r < pairs; r++, a += 2, b += rowStride)
        {
            TPairs x = TPairs.Broadcast(a);
            c00 = TPairs.MultiplyAddPairs(c00, x, TPairs.LoadWeights(b));
            c01 = TPairs.MultiplyAddPairs(c01, x, TPairs.LoadWeights(b + half));
            c10 = TPairs.MultiplyAddPairs(c10, x, TPairs.LoadWeights(b + panelStride));
            c11 = TPairs.MultiplyAddPairs(c11, x, TPairs.LoadWeights(b + panelStride + half));
            c20 = TPairs.MultiplyAddPairs(c20, x, TPairs.LoadWeights(b + 2 * panelStride));
            c21 = TPairs.MultiplyAddPairs(c21, x, TPairs.LoadWeights(b + 2 * panelStride + half));
            c30 = TPairs.MultiplyAddPairs(c30, x, TPairs.LoadWeights(b + 3 * panelStride));
            c31 = TPairs.MultiplyAddPairs(c31, x, TPairs.LoadWeights(b + 3 * panelStride + half));
        }
        int nr = PanelWidth;
        StoreFull(c00, c01, c, rowScale, columnScales, store);
        StoreFull(c10, c11, c + nr, rowScale, columnScales + nr, store);
        StoreFull(c20, c21, c + 2 * nr, rowScale, columnScales + 2 * nr, store);
        StoreFull(c30, c31, c + 3 * nr, rowScale, columnScales + 3 * nr, store);
    }

    /// <summary>
    /// <typeparamref name="TRows"/>.Count rows × one panel, the first <paramref name="columnsLeft"/> columns stored (all
    /// NR when at least NR).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(
        int pairs, short* a, nint lda, sbyte* b, float* c, nint ldc, float* rowScales, float* columnScales, int columnsLeft, int* tile, StoreParameters store)
        where TRows : struct, IRowCount
    {
        int rows = TRows.Count;
        nint half = 2 * TFloat.Count, rowStride = 2 * half;
        TPairs c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TPairs c30 = default, c31 = default, c40 = default, c41 = default;
        for (nint r = 0; r < 2 * pairs; r += 2, b += rowStride)
        {
            TPairs low = TPairs.LoadWeights(b), high = TPairs.LoadWeights(b + half);
            TPairs x = TPairs.Broadcast(a + r);
            c00 = TPairs.MultiplyAddPairs(c00, x, low);
            c01 = TPairs.MultiplyAddPairs(c01, x, high);
            if (rows > 1)
            {
                x = TPairs.Broadcast(a + lda + r);
                c10 = TPairs.MultiplyAddPairs(c10, x, low);
                c11 = TPairs.MultiplyAddPairs(c11, x, high);
            }
            if (rows > 2)
            {
                x = TPairs.Broadcast(a + 2 * lda + r);
                c20 = TPairs.MultiplyAddPairs(c20, x, low);
                c21 = TPairs.MultiplyAddPairs(c21, x, high);
            }
            if (rows > 3)
            {
                x = TPairs.Broadcast(a + 3 * lda + r);
                c30 = TPairs.MultiplyAddPairs(c30, x, low);
                c31 = TPairs.MultiplyAddPairs(c31, x, high);
            }
            if (rows > 4)
            {
                x = TPairs.Broadcast(a + 4 * lda + r);
                c40 = TPairs.MultiplyAddPairs(c40, x, low);
                c41 = TPairs.MultiplyAddPairs(c41, x, high);
            }
        }

        int nr = PanelWidth;
        if (columnsLeft >= nr)
        {
            StoreFull(c00, c01, c, rowScales[0], columnScales, store);
            if (rows > 1) StoreFull(c10, c11, c + ldc, rowScales[1], columnScales, store);
            if (rows > 2) StoreFull(c20, c21, c + 2 * ldc, rowScales[2], columnScales, store);
            if (rows > 3) StoreFull(c30, c31, c + 3 * ldc, rowScales[3], columnScales, store);
            if (rows > 4) StoreFull(c40, c41, c + 4 * ldc, rowScales[4], columnScales, store);
            return;
        }
        Spill(c00, c01, tile);
        if (rows > 1) Spill(c10, c11, tile + nr);
        if (rows > 2) Spill(c20, c21, tile + 2 * nr);
        if (rows > 3) Spill(c30, c31, tile + 3 * nr);
        if (rows > 4) Spill(c40, c41, tile + 4 * nr);
        StoreClipped(tile, c, ldc, rows, columnsLeft, rowScales, columnScales, store);
    }

    /// <summary>
    /// One row of a panel's sums into C: v = float(sum)·rowScale, then m·v or fma(m, v, beta·C) per lane with
    /// m = alpha·scale of each column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFull(TPairs low, TPairs high, float* c, float rowScale, float* columnScales, StoreParameters store)
    {
        int w = TFloat.Count;
        var target = new Span<float>(c, 2 * w);
        TFloat alphas = TFloat.Create(store.Alpha), scale = TFloat.Create(rowScale);
        TFloat lowMultipliers = alphas * LoadFloats(columnScales), highMultipliers = alphas * LoadFloats(columnScales + w);
        TFloat lowValues = TPairs.ToFloats(low) * scale, highValues = TPairs.ToFloats(high) * scale;
        if (store.Overwrite)
        {
            (lowMultipliers * lowValues).Store(target, 0);
            (highMultipliers * highValues).Store(target, w);
        }
        else
        {
            TFloat betas = TFloat.Create(store.Beta);
            TFloat.FusedMultiplyAdd(lowMultipliers, lowValues, betas * TFloat.Load(target, 0)).Store(target, 0);
            TFloat.FusedMultiplyAdd(highMultipliers, highValues, betas * TFloat.Load(target, w)).Store(target, w);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spill(TPairs low, TPairs high, int* tile)
    {
        TPairs.Store(low, tile);
        TPairs.Store(high, tile + TFloat.Count);
    }

    /// <summary><see cref="StoreFull"/> in scalar for the first <paramref name="columns"/> columns of a clipped panel, rounding exactly as the lanes do.</summary>
    private static void StoreClipped(int* tile, float* c, nint ldc, int rows, int columns, float* rowScales, float* columnScales, StoreParameters store)
    {
        int nr = PanelWidth;
        for (int i = 0; i < rows; i++)
        {
            int* sums = tile + i * nr;
            float* target = c + i * ldc;
            for (int j = 0; j < columns; j++)
            {
                float multiplier = store.Alpha * columnScales[j];
                float value = sums[j] * rowScales[i];
                target[j] = store.Overwrite ? multiplier * value : MultiplyAdd.Scalar(multiplier, value, store.Beta * target[j]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TFloat LoadFloats(float* source) => TFloat.Load(new ReadOnlySpan<float>(source, TFloat.Count), 0);

    /// <summary>How the sums are folded into C.</summary>
    private readonly record struct StoreParameters(float Alpha, float Beta, bool Overwrite);

    /// <summary>The rows a <see cref="Tile{TRows}"/> instantiation computes: a type so that the JIT drops the others' code.</summary>
    private interface IRowCount
    {
        static abstract int Count { get; }
    }

    private struct Rows1 : IRowCount
    {
        public static int Count => 1;
    }

    private struct Rows2 : IRowCount
    {
        public static int Count => 2;
    }

    private struct Rows3 : IRowCount
    {
        public static int Count => 3;
    }

    private struct Rows4 : IRowCount
    {
        public static int Count => 4;
    }

    private struct Rows5 : IRowCount
    {
        public static int Count => 5;
    }
}
