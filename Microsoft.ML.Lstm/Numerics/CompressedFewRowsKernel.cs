using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// <see cref="FewRowsKernel{TVector}"/> over a compressed B (<see cref="CompressedPackedMatrix"/>): C[rows × columns] =
/// alpha · diag-scaled (A[rows × depth] · B[depth × columns]) + beta · C for 1 to 4 rows, each weight widened to a float
/// in registers as it is loaded (<typeparamref name="TFormat"/>), so B streams from cache at 2 or 1 bytes a weight.
/// </summary>
/// <remarks>
/// <para>
/// Every element of C is one FMA chain acc = fma(a[i,p], w[p,j], acc) over p = 0..depth−1 from acc = 0, with w the
/// widened weight, then stored with the column's multiplier m_j = alpha·scale_j: C = m_j·acc (overwrite) or
/// fma(m_j, acc, beta·C), lane-wise, or the same in scalar at a clipped edge. The same shapes as the float kernel
/// (1 row × 8 / 4 / 1 panels, 2 × 2, 2 × 1, 4 × 1), so the same chains: for bfloat16 (scale 1) the result is the float
/// kernel's on the widened weights, bit for bit, and any number of rows, however grouped, gives each element the same bits.
/// </para>
/// <para>
/// B panel q starts at b + q·<c>panelStride</c> bytes and its row p at + p·<c>rowStride</c> bytes; every panel is
/// readable NR wide; columns past <c>columns</c> are computed but not stored. <c>scales</c> holds the columns' scales
/// from the first column on, NR-padded.
/// </para>
/// </remarks>
internal static unsafe class CompressedFewRowsKernel<TVector, TFormat>
    where TVector : struct, IWideningVector<TVector>
    where TFormat : struct, ICompressedWeights
{
    /// <summary>The most rows of C this kernel takes.</summary>
    public const int MaxRows = 4;

    /// <summary>NR: columns of one B micro-panel, two vectors.</summary>
    public static int PanelWidth => 2 * TVector.Count;

    /// <summary>
    /// Computes the product for <paramref name="rows"/> (1..4) rows of C. Row i of A, element p is at
    /// a + i·<paramref name="aRowStride"/> + p·<paramref name="aDepthStride"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        int rows, int depth, float* a, nint aRowStride, nint aDepthStride,
        byte* b, nint panelStride, nint rowStride, float* scales, int columns,
        float* c, nint ldc, float alpha, float beta, bool overwrite)
    {
        var store = new StoreParameters(alpha, beta, overwrite);
        int nr = PanelWidth;
        float* tile = stackalloc float[MaxRows * nr];
        int j = 0;
        switch (rows)
        {
            case 1:
                for (; j + 8 * nr <= columns; j += 8 * nr, b += 8 * panelStride)
                    OneRowEightPanels(depth, a, aDepthStride, b, panelStride, rowStride, c + j, scales + j, store);
                for (; j + 4 * nr <= columns; j += 4 * nr, b += 4 * panelStride)
                    OneRowFourPanels(depth, a, aDepthStride, b, panelStride, rowStride, c + j, scales + j, store);
                for (; j < columns; j += nr, b += panelStride)
                    OneRowOnePanel(depth, a, aDepthStride, b, rowStride, c + j, scales + j, columns - j, tile, store);
                break;
            case 2:
                for (; j + 2 * nr <= columns; j += 2 * nr, b += 2 * panelStride)
                    TwoRowsTwoPanels(depth, a, aRowStride, aDepthStride, b, panelStride, rowStride, c + j, ldc, scales + j, store);
                for (; j < columns; j += nr, b += panelStride)
                    TwoRowsOnePanel(depth, a, aRowStride, aDepthStride, b, rowStride, c + j, ldc, scales + j, columns - j, tile, store);
                break;
            case 3 or 4:
                // Three rows run as four with the last row read twice and stored once: same chains, one wasted.
                float* a3 = rows == 4 ? a + 3 * aRowStride : a + 2 * aRowStride;
                for (; j < columns; j += nr, b += panelStride)
                    FourRowsOnePanel(depth, a, aRowStride, a3, aDepthStride, b, rowStride, c + j, ldc, scales + j, rows, columns - j, tile, store);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Takes 1 to {MaxRows} rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowEightPanels(
        int depth, float* a, nint aDepthStride, byte* b, nint panelStride, nint rowStride, float* c, float* scales, StoreParameters store)
    {
        nint w = TVector.Count * TFormat.BytesPerWeight;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        TVector c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector x = TVector.Create(*a);
            byte* r = b + p * rowStride;
            c00 = TVector.FusedMultiplyAdd(x, Load(r), c00);
            c01 = TVector.FusedMultiplyAdd(x, Load(r + w), c01);
            c10 = TVector.FusedMultiplyAdd(x, Load(r + panelStride), c10);
            c11 = TVector.FusedMultiplyAdd(x, Load(r + panelStride + w), c11);
            c20 = TVector.FusedMultiplyAdd(x, Load(r + 2 * panelStride), c20);
            c21 = TVector.FusedMultiplyAdd(x, Load(r + 2 * panelStride + w), c21);
            c30 = TVector.FusedMultiplyAdd(x, Load(r + 3 * panelStride), c30);
            c31 = TVector.FusedMultiplyAdd(x, Load(r + 3 * panelStride + w), c31);
            c40 = TVector.FusedMultiplyAdd(x, Load(r + 4 * panelStride), c40);
            c41 = TVector.FusedMultiplyAdd(x, Load(r + 4 * panelStride + w), c41);
            c50 = TVector.FusedMultiplyAdd(x, Load(r + 5 * panelStride), c50);
            c51 = TVector.FusedMultiplyAdd(x, Load(r + 5 * panelStride + w), c51);
            c60 = TVector.FusedMultiplyAdd(x, Load(r + 6 * panelStride), c60);
            c61 = TVector.FusedMultiplyAdd(x, Load(r + 6 * panelStride + w), c61);
            c70 = TVector.FusedMultiplyAdd(x, Load(r + 7 * panelStride), c70);
            c71 = TVector.FusedMultiplyAdd(x, Load(r + 7 * panelStride + w), c71);
            a += aDepthStride;
        }

        int nr = PanelWidth;
        StoreFull(c00, c01, c, scales, store);
        StoreFull(c10, c11, c + nr, scales + nr, store);
        StoreFull(c20, c21, c + 2 * nr, scales + 2 * nr, store);
        StoreFull(c30, c31, c + 3 * nr, scales + 3 * nr, store);
        StoreFull(c40, c41, c + 4 * nr, scales + 4 * nr, store);
        StoreFull(c50, c51, c + 5 * nr, scales + 5 * nr, store);
        StoreFull(c60, c61, c + 6 * nr, scales + 6 * nr, store);
        StoreFull(c70, c71, c + 7 * nr, scales + 7 * nr, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowFourPanels(
        int depth, float* a, nint aDepthStride, byte* b, nint panelStride, nint rowStride, float* c, float* scales, StoreParameters store)
    {
        nint w = TVector.Count * TFormat.BytesPerWeight;
        byte* b0 = b, b1 = b + panelStride, b2 = b + 2 * panelStride, b3 = b + 3 * panelStride;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector x = TVector.Create(*a);
            c00 = TVector.FusedMultiplyAdd(x, Load(b0), c00);
            c01 = TVector.FusedMultiplyAdd(x, Load(b0 + w), c01);
            c10 = TVector.FusedMultiplyAdd(x, Load(b1), c10);
            c11 = TVector.FusedMultiplyAdd(x, Load(b1 + w), c11);
            c20 = TVector.FusedMultiplyAdd(x, Load(b2), c20);
            c21 = TVector.FusedMultiplyAdd(x, Load(b2 + w), c21);
            c30 = TVector.FusedMultiplyAdd(x, Load(b3), c30);
            c31 = TVector.FusedMultiplyAdd(x, Load(b3 + w), c31);
            a += aDepthStride;
            b0 += rowStride;
            b1 += rowStride;
            b2 += rowStride;
            b3 += rowStride;
        }

        int nr = PanelWidth;
        StoreFull(c00, c01, c, scales, store);
        StoreFull(c10, c11, c + nr, scales + nr, store);
        StoreFull(c20, c21, c + 2 * nr, scales + 2 * nr, store);
        StoreFull(c30, c31, c + 3 * nr, scales + 3 * nr, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowOnePanel(
        int depth, float* a, nint aDepthStride, byte* b, nint rowStride, float* c, float* scales, int columnsLeft, float* tile, StoreParameters store)
    {
        nint w = TVector.Count * TFormat.BytesPerWeight;
        TVector c00 = default, c01 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector x = TVector.Create(*a);
            c00 = TVector.FusedMultiplyAdd(x, Load(b), c00);
            c01 = TVector.FusedMultiplyAdd(x, Load(b + w), c01);
            a += aDepthStride;
            b += rowStride;
        }

        if (columnsLeft >= PanelWidth)
        {
            StoreFull(c00, c01, c, scales, store);
            return;
        }

        Spill(c00, c01, tile);
        StoreClipped(tile, c, 0, 1, columnsLeft, scales, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoRowsTwoPanels(
        int depth, float* a, nint aRowStride, nint aDepthStride, byte* b, nint panelStride, nint rowStride,
        float* c, nint ldc, float* scales, StoreParameters store)
    {
        nint w = TVector.Count * TFormat.BytesPerWeight;
        float* a0 = a, a1 = a + aRowStride;
        byte* b0 = b, b1 = b + panelStride;
        TVector c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector p0 = Load(b0), p1 = Load(b0 + w), p2 = Load(b1), p3 = Load(b1 + w);
            TVector x0 = TVector.Create(*a0);
            c00 = TVector.FusedMultiplyAdd(x0, p0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, p1, c01);
            c02 = TVector.FusedMultiplyAdd(x0, p2, c02);
            c03 = TVector.FusedMultiplyAdd(x0, p3, c03);
            TVector x1 = TVector.Create(*a1);
            c10 = TVector.FusedMultiplyAdd(x1, p0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, p1, c11);
            c12 = TVector.FusedMultiplyAdd(x1, p2, c12);
            c13 = TVector.FusedMultiplyAdd(x1, p3, c13);
            a0 += aDepthStride;
            a1 += aDepthStride;
            b0 += rowStride;
            b1 += rowStride;
        }

        int nr = PanelWidth;
        StoreFull(c00, c01, c, scales, store);
        StoreFull(c02, c03, c + nr, scales + nr, store);
        StoreFull(c10, c11, c + ldc, scales, store);
        StoreFull(c12, c13, c + ldc + nr, scales + nr, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoRowsOnePanel(
        int depth, float* a, nint aRowStride, nint aDepthStride, byte* b, nint rowStride,
        float* c, nint ldc, float* scales, int columnsLeft, float* tile, StoreParameters store)
    {
        nint w = TVector.Count * TFormat.BytesPerWeight;
        float* a0 = a, a1 = a + aRowStride;
        TVector c00 = default, c01 = default, c10 = default, c11 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector p0 = Load(b), p1 = Load(b + w);
            TVector x0 = TVector.Create(*a0);
            c00 = TVector.FusedMultiplyAdd(x0, p0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, p1, c01);
            TVector x1 = TVector.Create(*a1);
            c10 = TVector.FusedMultiplyAdd(x1, p0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, p1, c11);
            a0 += aDepthStride;
            a1 += aDepthStride;
            b += rowStride;
        }

        if (columnsLeft >= PanelWidth)
        {
            StoreFull(c00, c01, c, scales, store);
            StoreFull(c10, c11, c + ldc, scales, store);
            return;
        }

        int nr = PanelWidth;
        Spill(c00, c01, tile);
        Spill(c10, c11, tile + nr);
        StoreClipped(tile, c, ldc, 2, columnsLeft, scales, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRowsOnePanel(
        int depth, float* a, nint aRowStride, float* a3, nint aDepthStride, byte* b, nint rowStride,
        float* c, nint ldc, float* scales, int rows, int columnsLeft, float* tile, StoreParameters store)
    {
        nint w = TVector.Count * TFormat.BytesPerWeight;
        float* a0 = a, a1 = a + aRowStride, a2 = a + 2 * aRowStride;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector p0 = Load(b), p1 = Load(b + w);
            TVector x0 = TVector.Create(*a0);
            c00 = TVector.FusedMultiplyAdd(x0, p0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, p1, c01);
            TVector x1 = TVector.Create(*a1);
            c10 = TVector.FusedMultiplyAdd(x1, p0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, p1, c11);
            TVector x2 = TVector.Create(*a2);
            c20 = TVector.FusedMultiplyAdd(x2, p0, c20);
            c21 = TVector.FusedMultiplyAdd(x2, p1, c21);
            TVector x3 = TVector.Create(*a3);
            c30 = TVector.FusedMultiplyAdd(x3, p0, c30);
            c31 = TVector.FusedMultiplyAdd(x3, p1, c31);
            a0 += aDepthStride;
            a1 += aDepthStride;
            a2 += aDepthStride;
            a3 += aDepthStride;
            b += rowStride;
        }

        if (columnsLeft >= PanelWidth)
        {
            StoreFull(c00, c01, c, scales, store);
            StoreFull(c10, c11, c + ldc, scales, store);
            StoreFull(c20, c21, c + 2 * ldc, scales, store);
            if (rows == 4)
                StoreFull(c30, c31, c + 3 * ldc, scales, store);
            return;
        }

        int nr = PanelWidth;
        Spill(c00, c01, tile);
        Spill(c10, c11, tile + nr);
        Spill(c20, c21, tile + 2 * nr);
        Spill(c30, c31, tile + 3 * nr);
        StoreClipped(tile, c, ldc, rows, columnsLeft, scales, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Load(byte* source) => TFormat.Load<TVector>(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LoadFloats(float* source) => TVector.Load(new ReadOnlySpan<float>(source, TVector.Count), 0);

    /// <summary>
    /// Folds one row of a whole panel's two accumulators into C: m·acc, or fma(m, acc, beta·C), per lane, with
    /// m = alpha·scale of each column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFull(TVector low, TVector high, float* c, float* scales, StoreParameters store)
    {
        int w = TVector.Count;
        var target = new Span<float>(c, 2 * w);
        TVector alphas = TVector.Create(store.Alpha);
        TVector lowMultipliers = alphas * LoadFloats(scales), highMultipliers = alphas * LoadFloats(scales + w);
        if (store.Overwrite)
        {
            (lowMultipliers * low).Store(target, 0);
            (highMultipliers * high).Store(target, w);
        }
        else
        {
            TVector betas = TVector.Create(store.Beta);
            TVector.FusedMultiplyAdd(lowMultipliers, low, betas * TVector.Load(target, 0)).Store(target, 0);
            TVector.FusedMultiplyAdd(highMultipliers, high, betas * TVector.Load(target, w)).Store(target, w);
        }
    }

    /// <summary>Writes one row of a panel's accumulators to the spill tile (row stride NR).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spill(TVector low, TVector high, float* tile)
    {
        var target = new Span<float>(tile, 2 * TVector.Count);
        low.Store(target, 0);
        high.Store(target, TVector.Count);
    }

    /// <summary><see cref="StoreFull"/> in scalar for the first <paramref name="columns"/> columns of a clipped panel, rounding exactly as the lanes do.</summary>
    private static void StoreClipped(float* tile, float* c, nint ldc, int rows, int columns, float* scales, StoreParameters store)
    {
        int nr = PanelWidth;
        for (int r = 0; r < rows; r++)
        {
            float* source = tile + r * nr;
            float* target = c + r * ldc;
            for (int j = 0; j < columns; j++)
            {
                float multiplier = store.Alpha * scales[j];
                target[j] = store.Overwrite ? multiplier * source[j] : MathF.FusedMultiplyAdd(multiplier, source[j], store.Beta * target[j]);
            }
        }
    }

    /// <summary>How accumulators are folded into C.</summary>
    private readonly record struct StoreParameters(float Alpha, float Beta, bool Overwrite);
}
