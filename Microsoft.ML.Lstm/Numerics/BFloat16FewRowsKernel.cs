using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// <see cref="FewRowsKernel{TVector}"/> over bfloat16 weights (<see cref="CompressedPackedMatrix"/> of
/// <see cref="WeightFormat.BFloat16"/>): C[rows × columns] = alpha · diag-scaled (A[rows × depth] · B[depth × columns]) +
/// beta · C for 1 to 4 rows, each weight widened to a float in registers as it is loaded
/// (<see cref="IWideningVector{TSelf}"/>), so B streams from cache at 2 bytes a weight.
/// </summary>
/// <remarks>
/// <para>
/// Every element of C is one FMA chain acc = fma(a[i,p], w[p,j], acc) over p = 0..depth−1 from acc = 0, with w the
/// widened weight, then stored with the column's multiplier m_j = alpha·scale_j: C = m_j·acc (overwrite) or
/// fma(m_j, acc, beta·C), lane-wise, or the same in scalar at a clipped edge. The same shapes as the float kernel
/// (1 row × 8 / 4 / 1 panels, 2 × 2, 2 × 1, 4 × 1), so the same chains: with bfloat16's scales of 1 the result is the
/// float kernel's on the widened weights, bit for bit, and any number of rows, however grouped, gives each element the same bits.
/// </para>
/// <para>
/// B panel q starts at b + q·<c>panelStride</c> bytes and its packed row r, NR 32-bit words (<see cref="WordBytes"/>
/// bytes per column) holding depth 2r in their low halves and depth 2r + 1 in their high halves
/// (<see cref="DepthsPerWord"/>), at + r·<c>rowStride</c> bytes; an odd depth's last row has zero high halves, which
/// are not read into the chains. Every panel is readable NR wide; columns past <c>columns</c> are computed but not
/// stored. <c>scales</c> holds the columns' scales from the first column on, NR-padded.
/// </para>
/// </remarks>
internal static unsafe class BFloat16FewRowsKernel<TVector>
    where TVector : struct, IWideningVector<TVector>
{
    /// <summary>Depths one packed row holds: two bfloat16 weights to a 32-bit word.</summary>
    public const int DepthsPerWord = 2;

    /// <summary>Bytes per column of a packed row: one 32-bit word.</summary>
    public const int WordBytes = sizeof(uint);

    /// <summary>The most rows of C this kernel takes.</summary>
    public const int MaxRows = 4;

    /// <summary>NR: columns of one B micro-panel, two vectors.</summary>
    public static int PanelWidth => 2 * TVector.Count;

    /// <summary>
    /// Computes the product for <paramref name="rows"/> (1..4) rows of C. Row i of A, element p is at
    /// a + i·<paramref name="aRowStride"/> + p·<paramref name="aDepthStride"/>. One row runs up to
    /// <paramref name="oneRowPanels"/> (8, 4 or 1) panels at once: eight hold sixteen accumulators beside the two
    /// broadcasts and the widened weights, which spill on AVX2's sixteen registers (<see cref="GemmTuning.OneRowPanels"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        int oneRowPanels, int rows, int depth, float* a, nint aRowStride, nint aDepthStride,
        byte* b, nint panelStride, nint rowStride, float* scales, int columns,
        float* c, nint ldc, float alpha, float beta, bool overwrite)
    {
        // Passed by address, as the float and int8 kernels pass theirs: read after the loops, not held in registers through them.
        var parameters = new GemmStore(alpha, beta, overwrite, null);
        GemmStore* store = &parameters;
        int nr = PanelWidth;
        float* tile = stackalloc float[MaxRows * nr];
        int j = 0;
        switch (rows)
        {
            case 1:
                for (; oneRowPanels >= 8 && j + 8 * nr <= columns; j += 8 * nr, b += 8 * panelStride)
                    OneRowEightPanels(depth, a, aDepthStride, b, panelStride, rowStride, c + j, scales + j, store);
                for (; oneRowPanels >= 4 && j + 4 * nr <= columns; j += 4 * nr, b += 4 * panelStride)
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
    private static void OneRowEightPanels(int depth, float* a, nint aDepthStride, byte* b, nint panelStride, nint rowStride, float* c, float* scales, GemmStore* store)
    {
        nint w = TVector.Count * WordBytes;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        int p = 0;
        for (; p + DepthsPerWord <= depth; p += DepthsPerWord)
        {
            TVector x0 = TVector.Create(a[0]), x1 = TVector.Create(a[aDepthStride]);
            c00 = Step(b, x0, x1, c00);
            c01 = Step(b + w, x0, x1, c01);
            c10 = Step(b + 1 * panelStride, x0, x1, c10);
            c11 = Step(b + 1 * panelStride + w, x0, x1, c11);
            c20 = Step(b + 2 * panelStride, x0, x1, c20);
            c21 = Step(b + 2 * panelStride + w, x0, x1, c21);
            c30 = Step(b + 3 * panelStride, x0, x1, c30);
            c31 = Step(b + 3 * panelStride + w, x0, x1, c31);
            c40 = Step(b + 4 * panelStride, x0, x1, c40);
            c41 = Step(b + 4 * panelStride + w, x0, x1, c41);
            c50 = Step(b + 5 * panelStride, x0, x1, c50);
            c51 = Step(b + 5 * panelStride + w, x0, x1, c51);
            c60 = Step(b + 6 * panelStride, x0, x1, c60);
            c61 = Step(b + 6 * panelStride + w, x0, x1, c61);
            c70 = Step(b + 7 * panelStride, x0, x1, c70);
            c71 = Step(b + 7 * panelStride + w, x0, x1, c71);
            a += DepthsPerWord * aDepthStride;
            b += rowStride;
        }

        if (p < depth)
        {
            // An odd depth's last word: its low halves only (the high halves are the zero padding).
            TVector x0 = TVector.Create(*a);
            c00 = Last(b, x0, c00);
            c01 = Last(b + w, x0, c01);
            c10 = Last(b + 1 * panelStride, x0, c10);
            c11 = Last(b + 1 * panelStride + w, x0, c11);
            c20 = Last(b + 2 * panelStride, x0, c20);
            c21 = Last(b + 2 * panelStride + w, x0, c21);
            c30 = Last(b + 3 * panelStride, x0, c30);
            c31 = Last(b + 3 * panelStride + w, x0, c31);
            c40 = Last(b + 4 * panelStride, x0, c40);
            c41 = Last(b + 4 * panelStride + w, x0, c41);
            c50 = Last(b + 5 * panelStride, x0, c50);
            c51 = Last(b + 5 * panelStride + w, x0, c51);
            c60 = Last(b + 6 * panelStride, x0, c60);
            c61 = Last(b + 6 * panelStride + w, x0, c61);
            c70 = Last(b + 7 * panelStride, x0, c70);
            c71 = Last(b + 7 * panelStride + w, x0, c71);
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
    private static void OneRowFourPanels(int depth, float* a, nint aDepthStride, byte* b, nint panelStride, nint rowStride, float* c, float* scales, GemmStore* store)
    {
        nint w = TVector.Count * WordBytes;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        int p = 0;
        for (; p + DepthsPerWord <= depth; p += DepthsPerWord)
        {
            TVector x0 = TVector.Create(a[0]), x1 = TVector.Create(a[aDepthStride]);
            c00 = Step(b, x0, x1, c00);
            c01 = Step(b + w, x0, x1, c01);
            c10 = Step(b + 1 * panelStride, x0, x1, c10);
            c11 = Step(b + 1 * panelStride + w, x0, x1, c11);
            c20 = Step(b + 2 * panelStride, x0, x1, c20);
            c21 = Step(b + 2 * panelStride + w, x0, x1, c21);
            c30 = Step(b + 3 * panelStride, x0, x1, c30);
            c31 = Step(b + 3 * panelStride + w, x0, x1, c31);
            a += DepthsPerWord * aDepthStride;
            b += rowStride;
        }

        if (p < depth)
        {
            // An odd depth's last word: its low halves only (the high halves are the zero padding).
            TVector x0 = TVector.Create(*a);
            c00 = Last(b, x0, c00);
            c01 = Last(b + w, x0, c01);
            c10 = Last(b + 1 * panelStride, x0, c10);
            c11 = Last(b + 1 * panelStride + w, x0, c11);
            c20 = Last(b + 2 * panelStride, x0, c20);
            c21 = Last(b + 2 * panelStride + w, x0, c21);
            c30 = Last(b + 3 * panelStride, x0, c30);
            c31 = Last(b + 3 * panelStride + w, x0, c31);
        }

        int nr = PanelWidth;
        StoreFull(c00, c01, c, scales, store);
        StoreFull(c10, c11, c + nr, scales + nr, store);
        StoreFull(c20, c21, c + 2 * nr, scales + 2 * nr, store);
        StoreFull(c30, c31, c + 3 * nr, scales + 3 * nr, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowOnePanel(int depth, float* a, nint aDepthStride, byte* b, nint rowStride, float* c, float* scales, int columnsLeft, float* tile, GemmStore* store)
    {
        nint w = TVector.Count * WordBytes;
        TVector c00 = default, c01 = default;
        int p = 0;
        for (; p + DepthsPerWord <= depth; p += DepthsPerWord)
        {
            TVector x0 = TVector.Create(a[0]), x1 = TVector.Create(a[aDepthStride]);
            c00 = Step(b, x0, x1, c00);
            c01 = Step(b + w, x0, x1, c01);
            a += DepthsPerWord * aDepthStride;
            b += rowStride;
        }

        if (p < depth)
        {
            // An odd depth's last word: its low halves only (the high halves are the zero padding).
            TVector x0 = TVector.Create(*a);
            c00 = Last(b, x0, c00);
            c01 = Last(b + w, x0, c01);
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
    private static void TwoRowsTwoPanels(int depth, float* a, nint aRowStride, nint aDepthStride, byte* b, nint panelStride, nint rowStride, float* c, nint ldc, float* scales, GemmStore* store)
    {
        nint w = TVector.Count * WordBytes;
        GemmTile.Prefetch(c, ldc, 2, 2 * PanelWidth);
        float* a0 = a, a1 = a + aRowStride;
        TVector c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        // One running offset into A's rows, not a pointer stepped on per row (as the float kernels: FewRowsKernel.FourRowsOnePanel).
        nint offset = 0;
        int p = 0;
        for (; p + DepthsPerWord <= depth; p += DepthsPerWord)
        {
            Widen(b, out TVector f0, out TVector s0);
            Widen(b + w, out TVector f1, out TVector s1);
            Widen(b + 1 * panelStride, out TVector f2, out TVector s2);
            Widen(b + 1 * panelStride + w, out TVector f3, out TVector s3);
            TVector x0 = TVector.Create(a0[offset]);
            c00 = TVector.FusedMultiplyAdd(x0, f0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, f1, c01);
            c02 = TVector.FusedMultiplyAdd(x0, f2, c02);
            c03 = TVector.FusedMultiplyAdd(x0, f3, c03);
            TVector x1 = TVector.Create(a1[offset]);
            c10 = TVector.FusedMultiplyAdd(x1, f0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, f1, c11);
            c12 = TVector.FusedMultiplyAdd(x1, f2, c12);
            c13 = TVector.FusedMultiplyAdd(x1, f3, c13);
            TVector y0 = TVector.Create(a0[offset + aDepthStride]);
            c00 = TVector.FusedMultiplyAdd(y0, s0, c00);
            c01 = TVector.FusedMultiplyAdd(y0, s1, c01);
            c02 = TVector.FusedMultiplyAdd(y0, s2, c02);
            c03 = TVector.FusedMultiplyAdd(y0, s3, c03);
            TVector y1 = TVector.Create(a1[offset + aDepthStride]);
            c10 = TVector.FusedMultiplyAdd(y1, s0, c10);
            c11 = TVector.FusedMultiplyAdd(y1, s1, c11);
            c12 = TVector.FusedMultiplyAdd(y1, s2, c12);
            c13 = TVector.FusedMultiplyAdd(y1, s3, c13);

            offset += DepthsPerWord * aDepthStride;
            b += rowStride;
        }

        if (p < depth)
        {
            // An odd depth's last word: its low halves only (the high halves are the zero padding).
            TVector f0 = LowHalves(b);
            TVector f1 = LowHalves(b + w);
            TVector f2 = LowHalves(b + 1 * panelStride);
            TVector f3 = LowHalves(b + 1 * panelStride + w);
            TVector x0 = TVector.Create(a0[offset]);
            c00 = TVector.FusedMultiplyAdd(x0, f0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, f1, c01);
            c02 = TVector.FusedMultiplyAdd(x0, f2, c02);
            c03 = TVector.FusedMultiplyAdd(x0, f3, c03);
            TVector x1 = TVector.Create(a1[offset]);
            c10 = TVector.FusedMultiplyAdd(x1, f0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, f1, c11);
            c12 = TVector.FusedMultiplyAdd(x1, f2, c12);
            c13 = TVector.FusedMultiplyAdd(x1, f3, c13);
        }

        int nr = PanelWidth;
        StoreFull(c00, c01, c, scales, store);
        StoreFull(c02, c03, c + nr, scales + nr, store);
        StoreFull(c10, c11, c + ldc, scales, store);
        StoreFull(c12, c13, c + ldc + nr, scales + nr, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoRowsOnePanel(int depth, float* a, nint aRowStride, nint aDepthStride, byte* b, nint rowStride, float* c, nint ldc, float* scales, int columnsLeft, float* tile, GemmStore* store)
    {
        nint w = TVector.Count * WordBytes;
        GemmTile.Prefetch(c, ldc, 2, PanelWidth);
        float* a0 = a, a1 = a + aRowStride;
        TVector c00 = default, c01 = default, c10 = default, c11 = default;
        // One running offset into A's rows, not a pointer stepped on per row (as the float kernels: FewRowsKernel.FourRowsOnePanel).
        nint offset = 0;
        int p = 0;
        for (; p + DepthsPerWord <= depth; p += DepthsPerWord)
        {
            Widen(b, out TVector f0, out TVector s0);
            Widen(b + w, out TVector f1, out TVector s1);
            TVector x0 = TVector.Create(a0[offset]);
            c00 = TVector.FusedMultiplyAdd(x0, f0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, f1, c01);
            TVector x1 = TVector.Create(a1[offset]);
            c10 = TVector.FusedMultiplyAdd(x1, f0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, f1, c11);
            TVector y0 = TVector.Create(a0[offset + aDepthStride]);
            c00 = TVector.FusedMultiplyAdd(y0, s0, c00);
            c01 = TVector.FusedMultiplyAdd(y0, s1, c01);
            TVector y1 = TVector.Create(a1[offset + aDepthStride]);
            c10 = TVector.FusedMultiplyAdd(y1, s0, c10);
            c11 = TVector.FusedMultiplyAdd(y1, s1, c11);

            offset += DepthsPerWord * aDepthStride;
            b += rowStride;
        }

        if (p < depth)
        {
            // An odd depth's last word: its low halves only (the high halves are the zero padding).
            TVector f0 = LowHalves(b);
            TVector f1 = LowHalves(b + w);
            TVector x0 = TVector.Create(a0[offset]);
            c00 = TVector.FusedMultiplyAdd(x0, f0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, f1, c01);
            TVector x1 = TVector.Create(a1[offset]);
            c10 = TVector.FusedMultiplyAdd(x1, f0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, f1, c11);
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
    private static void FourRowsOnePanel(int depth, float* a, nint aRowStride, float* a3, nint aDepthStride, byte* b, nint rowStride, float* c, nint ldc, float* scales, int rows, int columnsLeft, float* tile, GemmStore* store)
    {
        nint w = TVector.Count * WordBytes;
        GemmTile.Prefetch(c, ldc, rows, PanelWidth);
        float* a0 = a, a1 = a + aRowStride, a2 = a + 2 * aRowStride;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        // One running offset into A's rows, not a pointer stepped on per row (as the float kernels: FewRowsKernel.FourRowsOnePanel).
        nint offset = 0;
        int p = 0;
        for (; p + DepthsPerWord <= depth; p += DepthsPerWord)
        {
            Widen(b, out TVector f0, out TVector s0);
            Widen(b + w, out TVector f1, out TVector s1);
            TVector x0 = TVector.Create(a0[offset]);
            c00 = TVector.FusedMultiplyAdd(x0, f0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, f1, c01);
            TVector x1 = TVector.Create(a1[offset]);
            c10 = TVector.FusedMultiplyAdd(x1, f0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, f1, c11);
            TVector x2 = TVector.Create(a2[offset]);
            c20 = TVector.FusedMultiplyAdd(x2, f0, c20);
            c21 = TVector.FusedMultiplyAdd(x2, f1, c21);
            TVector x3 = TVector.Create(a3[offset]);
            c30 = TVector.FusedMultiplyAdd(x3, f0, c30);
            c31 = TVector.FusedMultiplyAdd(x3, f1, c31);
            TVector y0 = TVector.Create(a0[offset + aDepthStride]);
            c00 = TVector.FusedMultiplyAdd(y0, s0, c00);
            c01 = TVector.FusedMultiplyAdd(y0, s1, c01);
            TVector y1 = TVector.Create(a1[offset + aDepthStride]);
            c10 = TVector.FusedMultiplyAdd(y1, s0, c10);
            c11 = TVector.FusedMultiplyAdd(y1, s1, c11);
            TVector y2 = TVector.Create(a2[offset + aDepthStride]);
            c20 = TVector.FusedMultiplyAdd(y2, s0, c20);
            c21 = TVector.FusedMultiplyAdd(y2, s1, c21);
            TVector y3 = TVector.Create(a3[offset + aDepthStride]);
            c30 = TVector.FusedMultiplyAdd(y3, s0, c30);
            c31 = TVector.FusedMultiplyAdd(y3, s1, c31);

            offset += DepthsPerWord * aDepthStride;
            b += rowStride;
        }

        if (p < depth)
        {
            // An odd depth's last word: its low halves only (the high halves are the zero padding).
            TVector f0 = LowHalves(b);
            TVector f1 = LowHalves(b + w);
            TVector x0 = TVector.Create(a0[offset]);
            c00 = TVector.FusedMultiplyAdd(x0, f0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, f1, c01);
            TVector x1 = TVector.Create(a1[offset]);
            c10 = TVector.FusedMultiplyAdd(x1, f0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, f1, c11);
            TVector x2 = TVector.Create(a2[offset]);
            c20 = TVector.FusedMultiplyAdd(x2, f0, c20);
            c21 = TVector.FusedMultiplyAdd(x2, f1, c21);
            TVector x3 = TVector.Create(a3[offset]);
            c30 = TVector.FusedMultiplyAdd(x3, f0, c30);
            c31 = TVector.FusedMultiplyAdd(x3, f1, c31);
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

    /// <summary>acc + x0·(the row's even depth) + x1·(its odd depth), in that order: the chain of two steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Step(byte* source, TVector x0, TVector x1, TVector acc)
    {
        Widen(source, out TVector even, out TVector odd);
        acc = TVector.FusedMultiplyAdd(x0, even, acc);
        return TVector.FusedMultiplyAdd(x1, odd, acc);
    }

    /// <summary>acc + x0·(the row's even depth) alone: an odd depth's last row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Last(byte* source, TVector x0, TVector acc) => TVector.FusedMultiplyAdd(x0, LowHalves(source), acc);

    /// <summary>TVector.Count words of a packed row from <paramref name="source"/>, widened: the even depth (low halves) and the odd one (high halves).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Widen(byte* source, out TVector even, out TVector odd)
    {
        TVector words = TVector.LoadWords((uint*)source);
        even = TVector.LowHalves(words);
        odd = TVector.HighHalves(words);
    }

    /// <summary>TVector.Count words of a packed row from <paramref name="source"/>, their low halves widened: the row's even depth.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LowHalves(byte* source) => TVector.LowHalves(TVector.LoadWords((uint*)source));

    /// <summary>
    /// Folds one row of a whole panel's two accumulators into C: m·acc, or fma(m, acc, beta·C), per lane, with
    /// m = alpha·scale of each column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFull(TVector low, TVector high, float* c, float* scales, GemmStore* store)
    {
        int w = TVector.Count;
        var target = new Span<float>(c, 2 * w);
        TVector alphas = TVector.Create(store->Alpha);
        TVector lowMultipliers = alphas * TVector.Load(scales), highMultipliers = alphas * TVector.Load(scales + w);
        if (store->Overwrite)
        {
            (lowMultipliers * low).Store(target, 0);
            (highMultipliers * high).Store(target, w);
        }
        else
        {
            TVector betas = TVector.Create(store->Beta);
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
    private static void StoreClipped(float* tile, float* c, nint ldc, int rows, int columns, float* scales, GemmStore* store)
    {
        int nr = PanelWidth;
        for (int r = 0; r < rows; r++)
        {
            float* source = tile + r * nr;
            float* target = c + r * ldc;
            for (int j = 0; j < columns; j++)
            {
                float multiplier = store->Alpha * scales[j];
                target[j] = store->Overwrite ? multiplier * source[j] : MultiplyAdd.Scalar(multiplier, source[j], store->Beta * target[j]);
            }
        }
    }
}
