using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The int8 product's micro-kernels: C[rows × columns] = alpha · diag(rowScales) · (Q[rows × depth] · W[depth × columns])
/// · diag(columnScales) + beta · C, with Q the activations as small integers (<see cref="Int8Rows"/>, stored offset as
/// unsigned bytes) and W the int8 weights of a <see cref="CompressedPackedMatrix"/>, multiplied and summed in 32-bit
/// integers, four depths per lane (VPMADDUBSW and VPMADDWD at 256 bits: 32 multiply-adds in three instructions where
/// FMAs do 24), and converted to float once per depth block.
/// </summary>
/// <remarks>
/// <para>
/// Each column's sum starts at the block's −<see cref="Int8Rows.Offset"/>·Σ w (<see cref="CompressedPackedMatrix.Offsets"/>),
/// which takes the bytes' offset back out, so it ends at Σ q·w exactly: it does not depend on the order of the depths,
/// the shape of the kernel, the rows beside it, the thread or the vector width. Every element of C is
/// v = float(sum)·rowScale, stored as m·v or fma(m, v, beta·C) with m = alpha·columnScale, lane-wise, or in scalar
/// rounding the same way at a clipped edge. A block's sum is below 256·63·127 &lt; 2²⁴ in magnitude, so even its
/// conversion to float is exact.
/// </para>
/// <para>
/// B panel q starts at b + q·<c>panelStride</c> bytes; its quad row r (depths 4r to 4r + 3) is NR columns × 4 bytes at
/// + r·4·NR, column j's four depths side by side; every panel is readable NR wide, columns past <c>columns</c> are
/// computed but not stored. Row i of Q starts at a + i·<c>lda</c> (bytes) and holds 4·quads values.
/// </para>
/// </remarks>
internal static unsafe class Int8Kernel<TQuads, TFloat>
    where TQuads : struct, IInt8QuadVector<TQuads, TFloat>
    where TFloat : struct, IFloatVector<TFloat>
{
    /// <summary>The most rows of C one call takes.</summary>
    public const int MaxRows = 4;

    /// <summary>NR: columns of one panel, two vectors.</summary>
    public static int PanelWidth => 2 * TFloat.Count;

    /// <summary>
    /// Computes <paramref name="rows"/> (1..4) rows of C over <paramref name="quads"/> quads of depths, each column's sums
    /// starting at <paramref name="offsets"/> (NR per panel, panels side by side). One row runs four panels at once
    /// (eight sums beside the broadcast quad and the weights); more rows one panel at a time. Four rows hold eight sums,
    /// two weight vectors, a broadcast quad, the ones and a product: five rows left the JIT two sums short of registers,
    /// spilled every quad (lstm-a int8 inference 20 % slower).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        int rows, int quads, byte* a, nint lda, float* rowScales, sbyte* b, nint panelStride, int* offsets, float* columnScales, int columns,
        float* c, nint ldc, float alpha, float beta, bool overwrite, float* bias = null)
    {
        // Passed by address: its fields are read after the kernels' loops, not held in registers through them.
        var parameters = new GemmStore(alpha, beta, overwrite, bias);
        GemmStore* store = &parameters;
        int nr = PanelWidth;
        int* tile = stackalloc int[MaxRows * 2 * TFloat.Count];
        int j = 0;
        if (rows == 1)
        {
            for (; j + 4 * nr <= columns; j += 4 * nr, b += 4 * panelStride)
                OneRowFourPanels(quads, a, b, panelStride, offsets + j, c + j, rowScales, columnScales + j, store, j);
            for (; j < columns; j += nr, b += panelStride)
                Tile<Rows1>(quads, a, lda, b, offsets + j, c + j, ldc, rowScales, columnScales + j, columns - j, tile, store, j);
            return;
        }
        for (; j < columns; j += nr, b += panelStride)
        {
            switch (rows)
            {
                case 2:
                    Tile<Rows2>(quads, a, lda, b, offsets + j, c + j, ldc, rowScales, columnScales + j, columns - j, tile, store, j);
                    break;
                case 3:
                    Tile<Rows3>(quads, a, lda, b, offsets + j, c + j, ldc, rowScales, columnScales + j, columns - j, tile, store, j);
                    break;
                case 4:
                    Tile<Rows4>(quads, a, lda, b, offsets + j, c + j, ldc, rowScales, columnScales + j, columns - j, tile, store, j);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Takes 1 to {MaxRows} rows.");
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowFourPanels(
        int quads, byte* a, sbyte* b, nint panelStride, int* offsets, float* c, float* rowScales, float* columnScales, GemmStore* store, int column)
    {
        int w = TFloat.Count, nr = PanelWidth;
        nint half = 4 * w, rowStride = 2 * half;
        TQuads c00 = TQuads.Load(offsets), c01 = TQuads.Load(offsets + w), c10 = TQuads.Load(offsets + nr), c11 = TQuads.Load(offsets + nr + w);
        TQuads c20 = TQuads.Load(offsets + 2 * nr), c21 = TQuads.Load(offsets + 2 * nr + w), c30 = TQuads.Load(offsets + 3 * nr), c31 = TQuads.Load(offsets + 3 * nr + w);
        for (int r = 0; r < quads; r++, a += 4, b += rowStride)
        {
            TQuads x = TQuads.Broadcast(a);
            c00 = TQuads.MultiplyAddQuads(c00, x, TQuads.LoadWeights(b));
            c01 = TQuads.MultiplyAddQuads(c01, x, TQuads.LoadWeights(b + half));
            c10 = TQuads.MultiplyAddQuads(c10, x, TQuads.LoadWeights(b + panelStride));
            c11 = TQuads.MultiplyAddQuads(c11, x, TQuads.LoadWeights(b + panelStride + half));
            c20 = TQuads.MultiplyAddQuads(c20, x, TQuads.LoadWeights(b + 2 * panelStride));
            c21 = TQuads.MultiplyAddQuads(c21, x, TQuads.LoadWeights(b + 2 * panelStride + half));
            c30 = TQuads.MultiplyAddQuads(c30, x, TQuads.LoadWeights(b + 3 * panelStride));
            c31 = TQuads.MultiplyAddQuads(c31, x, TQuads.LoadWeights(b + 3 * panelStride + half));
        }
        StoreFull(c00, c01, c, rowScales[0], columnScales, store, column);
        StoreFull(c10, c11, c + nr, rowScales[0], columnScales + nr, store, column + nr);
        StoreFull(c20, c21, c + 2 * nr, rowScales[0], columnScales + 2 * nr, store, column + 2 * nr);
        StoreFull(c30, c31, c + 3 * nr, rowScales[0], columnScales + 3 * nr, store, column + 3 * nr);
    }

    /// <summary>
    /// <typeparamref name="TRows"/>.Count rows × one panel, the first <paramref name="columnsLeft"/> columns stored (all
    /// NR when at least NR).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(
        int quads, byte* a, nint lda, sbyte* b, int* offsets, float* c, nint ldc, float* rowScales, float* columnScales, int columnsLeft, int* tile,
        GemmStore* store, int column)
        where TRows : struct, IRowCount
    {
        int rows = TRows.Count;
        nint half = 4 * TFloat.Count, rowStride = 2 * half;
        GemmTile.Prefetch(c, ldc, rows, PanelWidth);
        TQuads start0 = TQuads.Load(offsets), start1 = TQuads.Load(offsets + TFloat.Count);
        TQuads c00 = start0, c01 = start1, c10 = start0, c11 = start1, c20 = start0, c21 = start1;
        TQuads c30 = start0, c31 = start1;
        for (nint r = 0; r < 4 * quads; r += 4, b += rowStride)
        {
            TQuads low = TQuads.LoadWeights(b), high = TQuads.LoadWeights(b + half);
            TQuads x = TQuads.Broadcast(a + r);
            c00 = TQuads.MultiplyAddQuads(c00, x, low);
            c01 = TQuads.MultiplyAddQuads(c01, x, high);
            if (rows > 1)
            {
                x = TQuads.Broadcast(a + lda + r);
                c10 = TQuads.MultiplyAddQuads(c10, x, low);
                c11 = TQuads.MultiplyAddQuads(c11, x, high);
            }
            if (rows > 2)
            {
                x = TQuads.Broadcast(a + 2 * lda + r);
                c20 = TQuads.MultiplyAddQuads(c20, x, low);
                c21 = TQuads.MultiplyAddQuads(c21, x, high);
            }
            if (rows > 3)
            {
                x = TQuads.Broadcast(a + 3 * lda + r);
                c30 = TQuads.MultiplyAddQuads(c30, x, low);
                c31 = TQuads.MultiplyAddQuads(c31, x, high);
            }
        }

        int nr = PanelWidth;
        if (columnsLeft >= nr)
        {
            StoreFull(c00, c01, c, rowScales[0], columnScales, store, column);
            if (rows > 1) StoreFull(c10, c11, c + ldc, rowScales[1], columnScales, store, column);
            if (rows > 2) StoreFull(c20, c21, c + 2 * ldc, rowScales[2], columnScales, store, column);
            if (rows > 3) StoreFull(c30, c31, c + 3 * ldc, rowScales[3], columnScales, store, column);
            return;
        }
        Spill(c00, c01, tile);
        if (rows > 1) Spill(c10, c11, tile + nr);
        if (rows > 2) Spill(c20, c21, tile + 2 * nr);
        if (rows > 3) Spill(c30, c31, tile + 3 * nr);
        StoreClipped(tile, c, ldc, rows, columnsLeft, rowScales, columnScales, store, column);
    }

    /// <summary>
    /// One row of a panel's sums into C: v = float(sum)·rowScale, then m·v, fma(m, v, beta·C), or with a bias (beta 1)
    /// fma(m, v, 1·bias) per lane, m = alpha·scale of each column: what beta = 1 gives over C holding the bias.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFull(TQuads low, TQuads high, float* c, float rowScale, float* columnScales, GemmStore* store, int column)
    {
        int w = TFloat.Count;
        var target = new Span<float>(c, 2 * w);
        TFloat alphas = TFloat.Create(store->Alpha), scale = TFloat.Create(rowScale);
        TFloat lowMultipliers = alphas * TFloat.Load(columnScales), highMultipliers = alphas * TFloat.Load(columnScales + w);
        TFloat lowValues = TQuads.ToFloats(low) * scale, highValues = TQuads.ToFloats(high) * scale;
        if (store->Overwrite)
        {
            (lowMultipliers * lowValues).Store(target, 0);
            (highMultipliers * highValues).Store(target, w);
        }
        else
        {
            // beta·C, or the bias in C's place (beta is then 1): one load either way, which keeps the kernels' registers as they were.
            float* addend = store->Bias == null ? c : store->Bias + column;
            TFloat betas = TFloat.Create(store->Beta);
            TFloat.FusedMultiplyAdd(lowMultipliers, lowValues, betas * TFloat.Load(addend)).Store(target, 0);
            TFloat.FusedMultiplyAdd(highMultipliers, highValues, betas * TFloat.Load(addend + w)).Store(target, w);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spill(TQuads low, TQuads high, int* tile)
    {
        TQuads.Store(low, tile);
        TQuads.Store(high, tile + TFloat.Count);
    }

    /// <summary><see cref="StoreFull"/> in scalar for the first <paramref name="columns"/> columns of a clipped panel, rounding exactly as the lanes do.</summary>
    private static void StoreClipped(int* tile, float* c, nint ldc, int rows, int columns, float* rowScales, float* columnScales, GemmStore* store, int column)
    {
        int nr = PanelWidth;
        for (int i = 0; i < rows; i++)
        {
            int* sums = tile + i * nr;
            float* target = c + i * ldc;
            for (int j = 0; j < columns; j++)
            {
                float multiplier = store->Alpha * columnScales[j];
                float value = sums[j] * rowScales[i];
                target[j] = store->Overwrite ? multiplier * value : MultiplyAdd.Scalar(multiplier, value, store->Beta * (store->Bias == null ? target[j] : store->Bias[column + j]));
            }
        }
    }

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
}
