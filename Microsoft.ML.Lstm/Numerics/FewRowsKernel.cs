using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// GEMM for C with at most <see cref="MaxRows"/> rows (one-row scoring, the last steps of a shrinking batch):
/// C[rows × columns] = alpha · A[rows × depth] · B[depth × columns] + beta · C, reading A in place and B as
/// micro-panels of NR = 2·<typeparamref name="TVector"/>.Count columns, without padding the rows to a
/// micro-kernel tile.
/// </summary>
/// <remarks>
/// <para>
/// Bit-identical to the tiled micro-kernels of the same width: every element of C is one FMA chain
/// acc = fma(a[i,p], b[p,j], acc) over p = 0..depth−1 from acc = 0, then C = alpha·acc (overwrite) or
/// fma(alpha, acc, beta·C), lane-wise, or through <see cref="GemmTile.StoreClipped"/> at a clipped edge.
/// </para>
/// <para>
/// A micro-kernel's independent FMA chains come from its many rows; with one row there would be only two
/// (latency bound, 4 cycles per FMA). Here they come from several column panels side by side instead:
/// 1 row × 4 panels, 2 rows × 2 panels, 4 rows × 1 panel, eight vector accumulators each; one row takes
/// 8 panels (sixteen accumulators) where the tuning says the registers hold them (<see cref="GemmTuning.OneRowPanels"/>),
/// since there B streams from L2 and more loads in flight help (one-row scoring 6–9 % faster on Zen 5 with AVX-512).
/// </para>
/// <para>
/// B panel q starts at b + q·<c>panelStride</c> and its row p at + p·<c>rowStride</c>: that is a packed
/// block (panelStride = NR·depth, rowStride = NR) or a plain row-major B (panelStride = NR, rowStride = ldb).
/// Every panel must be readable NR wide; columns past <c>columns</c> are computed but not stored.
/// </para>
/// </remarks>
internal static unsafe class FewRowsKernel<TVector> where TVector : struct, IFloatVector<TVector>
{
    /// <summary>The most rows of C this kernel takes.</summary>
    public const int MaxRows = 4;

    /// <summary>NR: columns of one B micro-panel, two vectors.</summary>
    public static int PanelWidth => 2 * TVector.Count;

    /// <summary>
    /// Computes the product for <paramref name="rows"/> (1..4) rows of C. Row i of A, element p is at
    /// a + i·<paramref name="aRowStride"/> + p·<paramref name="aDepthStride"/> (so a transposed A needs no copy).
    /// One row runs up to <paramref name="oneRowPanels"/> (8, 4 or 1) panels at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        int oneRowPanels, int rows, int depth, float* a, nint aRowStride, nint aDepthStride,
        float* b, nint panelStride, nint rowStride, int columns,
        float* c, nint ldc, float alpha, float beta, bool overwrite, float* bias = null)
    {
        // Passed by address: its fields are read after the kernels' loops, not held in registers through them.
        var parameters = new GemmStore(alpha, beta, overwrite, bias);
        GemmStore* store = &parameters;
        int nr = PanelWidth;
        // Spill room for a clipped last panel, so that no call is made while accumulators are live (the JIT
        // would then keep them in memory through the whole depth loop).
        float* tile = stackalloc float[MaxRows * nr];
        int j = 0;
        switch (rows)
        {
            case 1:
                for (; oneRowPanels >= 8 && j + 8 * nr <= columns; j += 8 * nr, b += 8 * panelStride)
                    OneRowEightPanels(depth, a, aDepthStride, b, panelStride, rowStride, c + j, store, j);
                for (; oneRowPanels >= 4 && j + 4 * nr <= columns; j += 4 * nr, b += 4 * panelStride)
                    OneRowFourPanels(depth, a, aDepthStride, b, panelStride, rowStride, c + j, store, j);
                for (; j < columns; j += nr, b += panelStride)
                    OneRowOnePanel(depth, a, aDepthStride, b, rowStride, c + j, columns - j, tile, store, j);
                break;
            case 2:
                for (; j + 2 * nr <= columns; j += 2 * nr, b += 2 * panelStride)
                    TwoRowsTwoPanels(depth, a, aRowStride, aDepthStride, b, panelStride, rowStride, c + j, ldc, store, j);
                for (; j < columns; j += nr, b += panelStride)
                    TwoRowsOnePanel(depth, a, aRowStride, aDepthStride, b, rowStride, c + j, ldc, columns - j, tile, store, j);
                break;
            case 3:
                for (; j + 2 * nr <= columns; j += 2 * nr, b += 2 * panelStride)
                    ThreeRowsTwoPanels(depth, a, aRowStride, aDepthStride, b, panelStride, rowStride, c + j, ldc, store, j);
                // A last panel alone runs as four rows, the last row read twice and stored once: same chains, one wasted.
                for (; j < columns; j += nr, b += panelStride)
                    FourRowsOnePanel(depth, a, aRowStride, a + 2 * aRowStride, aDepthStride, b, rowStride, c + j, ldc, rows, columns - j, tile, store, j);
                break;
            case 4:
                float* a3 = a + 3 * aRowStride;
                for (; j < columns; j += nr, b += panelStride)
                    FourRowsOnePanel(depth, a, aRowStride, a3, aDepthStride, b, rowStride, c + j, ldc, rows, columns - j, tile, store, j);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Takes 1 to {MaxRows} rows.");
        }
    }

    /// <summary>
    /// One B panel for the last <paramref name="rows"/> (1..4) rows of a tiled product, as the micro-kernels take a tile:
    /// the depth block's <paramref name="store"/> with C's <paramref name="column"/> (for its bias), and the caller's spill
    /// room <paramref name="tile"/> (<see cref="MaxRows"/> × <see cref="PanelWidth"/> floats) for a clipped panel. The
    /// driver calls it for every panel while the panel is in L1. Through <see cref="Run"/> (a store and spill room made
    /// anew, a switch and a loop, at every panel) 8 × 128 · 128 × 512 (two groups of four rows) ran at 82.9 GFLOP/s on
    /// Zen 3, through this at 84.1 (12 rows on two tiles: 91).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Panel(
        int rows, int depth, float* a, nint aRowStride, nint aDepthStride, float* b, nint rowStride,
        float* c, nint ldc, int columnsLeft, float* tile, GemmStore* store, int column)
    {
        switch (rows)
        {
            case 1:
                OneRowOnePanel(depth, a, aDepthStride, b, rowStride, c, columnsLeft, tile, store, column);
                break;
            case 2:
                TwoRowsOnePanel(depth, a, aRowStride, aDepthStride, b, rowStride, c, ldc, columnsLeft, tile, store, column);
                break;
            case 3 or 4:
                float* a3 = rows == 4 ? a + 3 * aRowStride : a + 2 * aRowStride;
                FourRowsOnePanel(depth, a, aRowStride, a3, aDepthStride, b, rowStride, c, ldc, rows, columnsLeft, tile, store, column);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Takes 1 to {MaxRows} rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowFourPanels(
        int depth, float* a, nint aDepthStride, float* b, nint panelStride, nint rowStride, float* c, GemmStore* store, int column)
    {
        int w = TVector.Count;
        float* b0 = b, b1 = b + panelStride, b2 = b + 2 * panelStride, b3 = b + 3 * panelStride;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector x = TVector.Broadcast(a);
            c00 = TVector.FusedMultiplyAdd(x, TVector.Load(b0), c00);
            c01 = TVector.FusedMultiplyAdd(x, TVector.Load(b0 + w), c01);
            c10 = TVector.FusedMultiplyAdd(x, TVector.Load(b1), c10);
            c11 = TVector.FusedMultiplyAdd(x, TVector.Load(b1 + w), c11);
            c20 = TVector.FusedMultiplyAdd(x, TVector.Load(b2), c20);
            c21 = TVector.FusedMultiplyAdd(x, TVector.Load(b2 + w), c21);
            c30 = TVector.FusedMultiplyAdd(x, TVector.Load(b3), c30);
            c31 = TVector.FusedMultiplyAdd(x, TVector.Load(b3 + w), c31);
            a += aDepthStride;
            b0 += rowStride;
            b1 += rowStride;
            b2 += rowStride;
            b3 += rowStride;
        }

        int nr = PanelWidth;
        StoreFull(c00, c01, c, store, column);
        StoreFull(c10, c11, c + nr, store, column + nr);
        StoreFull(c20, c21, c + 2 * nr, store, column + 2 * nr);
        StoreFull(c30, c31, c + 3 * nr, store, column + 3 * nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowEightPanels(
        int depth, float* a, nint aDepthStride, float* b, nint panelStride, nint rowStride, float* c, GemmStore* store, int column)
    {
        int w = TVector.Count;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        TVector c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector x = TVector.Broadcast(a);
            float* r = b + p * rowStride;
            c00 = TVector.FusedMultiplyAdd(x, TVector.Load(r), c00);
            c01 = TVector.FusedMultiplyAdd(x, TVector.Load(r + w), c01);
            c10 = TVector.FusedMultiplyAdd(x, TVector.Load(r + panelStride), c10);
            c11 = TVector.FusedMultiplyAdd(x, TVector.Load(r + panelStride + w), c11);
            c20 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 2 * panelStride), c20);
            c21 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 2 * panelStride + w), c21);
            c30 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 3 * panelStride), c30);
            c31 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 3 * panelStride + w), c31);
            c40 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 4 * panelStride), c40);
            c41 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 4 * panelStride + w), c41);
            c50 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 5 * panelStride), c50);
            c51 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 5 * panelStride + w), c51);
            c60 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 6 * panelStride), c60);
            c61 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 6 * panelStride + w), c61);
            c70 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 7 * panelStride), c70);
            c71 = TVector.FusedMultiplyAdd(x, TVector.Load(r + 7 * panelStride + w), c71);
            a += aDepthStride;
        }

        int nr = PanelWidth;
        StoreFull(c00, c01, c, store, column);
        StoreFull(c10, c11, c + nr, store, column + nr);
        StoreFull(c20, c21, c + 2 * nr, store, column + 2 * nr);
        StoreFull(c30, c31, c + 3 * nr, store, column + 3 * nr);
        StoreFull(c40, c41, c + 4 * nr, store, column + 4 * nr);
        StoreFull(c50, c51, c + 5 * nr, store, column + 5 * nr);
        StoreFull(c60, c61, c + 6 * nr, store, column + 6 * nr);
        StoreFull(c70, c71, c + 7 * nr, store, column + 7 * nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRowOnePanel(
        int depth, float* a, nint aDepthStride, float* b, nint rowStride, float* c, int columnsLeft, float* tile, GemmStore* store, int column)
    {
        int w = TVector.Count;
        TVector c00 = default, c01 = default;
        for (int p = 0; p < depth; p++)
        {
            TVector x = TVector.Broadcast(a);
            c00 = TVector.FusedMultiplyAdd(x, TVector.Load(b), c00);
            c01 = TVector.FusedMultiplyAdd(x, TVector.Load(b + w), c01);
            a += aDepthStride;
            b += rowStride;
        }

        if (columnsLeft >= 2 * w)
        {
            StoreFull(c00, c01, c, store, column);
            return;
        }

        Spill(c00, c01, tile);
        GemmTile.StoreClipped(tile, 2 * w, c, 0, 1, columnsLeft, store->Alpha, store->Beta, store->Overwrite, BiasAt(store, column));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoRowsTwoPanels(
        int depth, float* a, nint aRowStride, nint aDepthStride, float* b, nint panelStride, nint rowStride,
        float* c, nint ldc, GemmStore* store, int column)
    {
        int w = TVector.Count;
        GemmTile.Prefetch(c, ldc, 2, 2 * PanelWidth);
        float* a0 = a, a1 = a + aRowStride;
        TVector c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        // One running offset into A's rows and one B pointer (see FourRowsOnePanel).
        nint offset = 0;
        for (int p = 0; p < depth; p++, offset += aDepthStride, b += rowStride)
        {
            TVector p0 = TVector.Load(b), p1 = TVector.Load(b + w), p2 = TVector.Load(b + panelStride), p3 = TVector.Load(b + panelStride + w);
            TVector x0 = TVector.Broadcast(a0 + offset);
            c00 = TVector.FusedMultiplyAdd(x0, p0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, p1, c01);
            c02 = TVector.FusedMultiplyAdd(x0, p2, c02);
            c03 = TVector.FusedMultiplyAdd(x0, p3, c03);
            TVector x1 = TVector.Broadcast(a1 + offset);
            c10 = TVector.FusedMultiplyAdd(x1, p0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, p1, c11);
            c12 = TVector.FusedMultiplyAdd(x1, p2, c12);
            c13 = TVector.FusedMultiplyAdd(x1, p3, c13);
        }

        int nr = PanelWidth;
        StoreFull(c00, c01, c, store, column);
        StoreFull(c02, c03, c + nr, store, column + nr);
        StoreFull(c10, c11, c + ldc, store, column);
        StoreFull(c12, c13, c + ldc + nr, store, column + nr);
    }

    /// <summary>
    /// Three rows against two panels: twelve FMA chains a depth, as many as a 6 × 16 tile, where three rows run as four
    /// against one panel kept eight busy for two thirds of them stored. The three rows' values are held and each B vector
    /// is loaded once and used by all three: 16 vector registers, as many as AVX2 has (holding the four B vectors and one
    /// row's value would take 17, and the JIT spilled two accumulators at every depth). <see cref="Run"/> takes three rows'
    /// whole panel pairs through it, and the GEMM driver the three-row groups of a tiled product's last rows, on pairs of
    /// whole B panels <paramref name="panelStride"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ThreeRowsTwoPanels(
        int depth, float* a, nint aRowStride, nint aDepthStride, float* b, nint panelStride, nint rowStride,
        float* c, nint ldc, GemmStore* store, int column)
    {
        int w = TVector.Count;
        GemmTile.Prefetch(c, ldc, 3, 2 * PanelWidth);
        float* a0 = a, a1 = a + aRowStride, a2 = a + 2 * aRowStride;
        TVector c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        TVector c20 = default, c21 = default, c22 = default, c23 = default;
        nint offset = 0;
        float* second = b + panelStride;
        for (int p = 0; p < depth; p++, offset += aDepthStride, b += rowStride, second += rowStride)
        {
            // The three rows' values held, each B vector loaded once and used three times: 12 + 3 + 1 registers.
            TVector x0 = TVector.Broadcast(a0 + offset), x1 = TVector.Broadcast(a1 + offset), x2 = TVector.Broadcast(a2 + offset);
            TVector v = TVector.Load(b);
            c00 = TVector.FusedMultiplyAdd(x0, v, c00);
            c10 = TVector.FusedMultiplyAdd(x1, v, c10);
            c20 = TVector.FusedMultiplyAdd(x2, v, c20);
            v = TVector.Load(b + w);
            c01 = TVector.FusedMultiplyAdd(x0, v, c01);
            c11 = TVector.FusedMultiplyAdd(x1, v, c11);
            c21 = TVector.FusedMultiplyAdd(x2, v, c21);
            v = TVector.Load(second);
            c02 = TVector.FusedMultiplyAdd(x0, v, c02);
            c12 = TVector.FusedMultiplyAdd(x1, v, c12);
            c22 = TVector.FusedMultiplyAdd(x2, v, c22);
            v = TVector.Load(second + w);
            c03 = TVector.FusedMultiplyAdd(x0, v, c03);
            c13 = TVector.FusedMultiplyAdd(x1, v, c13);
            c23 = TVector.FusedMultiplyAdd(x2, v, c23);
        }

        int nr = PanelWidth;
        StoreFull(c00, c01, c, store, column);
        StoreFull(c02, c03, c + nr, store, column + nr);
        StoreFull(c10, c11, c + ldc, store, column);
        StoreFull(c12, c13, c + ldc + nr, store, column + nr);
        StoreFull(c20, c21, c + 2 * ldc, store, column);
        StoreFull(c22, c23, c + 2 * ldc + nr, store, column + nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoRowsOnePanel(
        int depth, float* a, nint aRowStride, nint aDepthStride, float* b, nint rowStride,
        float* c, nint ldc, int columnsLeft, float* tile, GemmStore* store, int column)
    {
        int w = TVector.Count;
        GemmTile.Prefetch(c, ldc, 2, PanelWidth);
        float* a0 = a, a1 = a + aRowStride;
        TVector c00 = default, c01 = default, c10 = default, c11 = default;
        nint offset = 0;
        for (int p = 0; p < depth; p++, offset += aDepthStride, b += rowStride)
        {
            TVector p0 = TVector.Load(b), p1 = TVector.Load(b + w);
            TVector x0 = TVector.Broadcast(a0 + offset);
            c00 = TVector.FusedMultiplyAdd(x0, p0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, p1, c01);
            TVector x1 = TVector.Broadcast(a1 + offset);
            c10 = TVector.FusedMultiplyAdd(x1, p0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, p1, c11);
        }

        if (columnsLeft >= 2 * w)
        {
            StoreFull(c00, c01, c, store, column);
            StoreFull(c10, c11, c + ldc, store, column);
            return;
        }

        Spill(c00, c01, tile);
        Spill(c10, c11, tile + 2 * w);
        GemmTile.StoreClipped(tile, 2 * w, c, ldc, 2, columnsLeft, store->Alpha, store->Beta, store->Overwrite, BiasAt(store, column));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRowsOnePanel(
        int depth, float* a, nint aRowStride, float* a3, nint aDepthStride, float* b, nint rowStride,
        float* c, nint ldc, int rows, int columnsLeft, float* tile, GemmStore* store, int column)
    {
        int w = TVector.Count;
        GemmTile.Prefetch(c, ldc, rows, PanelWidth);
        float* a0 = a, a1 = a + aRowStride, a2 = a + 2 * aRowStride;
        TVector c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        // One running offset for the four rows of A, not four pointers stepped on: five fewer instructions beside the
        // eight FMAs of each depth, which took 4 × 256 · 256 × 1024 from 78 to 87–92 GFLOP/s on Zen 3 (same bits).
        nint offset = 0;
        for (int p = 0; p < depth; p++, offset += aDepthStride, b += rowStride)
        {
            TVector p0 = TVector.Load(b), p1 = TVector.Load(b + w);
            TVector x0 = TVector.Broadcast(a0 + offset);
            c00 = TVector.FusedMultiplyAdd(x0, p0, c00);
            c01 = TVector.FusedMultiplyAdd(x0, p1, c01);
            TVector x1 = TVector.Broadcast(a1 + offset);
            c10 = TVector.FusedMultiplyAdd(x1, p0, c10);
            c11 = TVector.FusedMultiplyAdd(x1, p1, c11);
            TVector x2 = TVector.Broadcast(a2 + offset);
            c20 = TVector.FusedMultiplyAdd(x2, p0, c20);
            c21 = TVector.FusedMultiplyAdd(x2, p1, c21);
            TVector x3 = TVector.Broadcast(a3 + offset);
            c30 = TVector.FusedMultiplyAdd(x3, p0, c30);
            c31 = TVector.FusedMultiplyAdd(x3, p1, c31);
        }

        if (columnsLeft >= 2 * w)
        {
            StoreFull(c00, c01, c, store, column);
            StoreFull(c10, c11, c + ldc, store, column);
            StoreFull(c20, c21, c + 2 * ldc, store, column);
            if (rows == 4)
                StoreFull(c30, c31, c + 3 * ldc, store, column);
            return;
        }

        Spill(c00, c01, tile);
        Spill(c10, c11, tile + 2 * w);
        Spill(c20, c21, tile + 4 * w);
        Spill(c30, c31, tile + 6 * w);
        GemmTile.StoreClipped(tile, 2 * w, c, ldc, rows, columnsLeft, store->Alpha, store->Beta, store->Overwrite, BiasAt(store, column));
    }

    /// <summary>
    /// Folds one row of a whole panel's two accumulators into C: alpha·acc, or fma(alpha, acc, beta·C), per lane,
    /// as the micro-kernels' full tiles do (their clipped tiles do the same in scalar, see <see cref="GemmTile"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFull(TVector low, TVector high, float* c, GemmStore* store, int column)
    {
        int w = TVector.Count;
        var target = new Span<float>(c, 2 * w);
        TVector alphas = TVector.Create(store->Alpha);
        if (store->Overwrite)
        {
            (alphas * low).Store(target, 0);
            (alphas * high).Store(target, w);
        }
        else
        {
            // beta·C, or the bias in C's place: one load either way.
            float* source = store->Bias == null ? c : store->Bias + column;
            TVector betas = TVector.Create(store->Beta);
            TVector.FusedMultiplyAdd(alphas, low, betas * TVector.Load(source)).Store(target, 0);
            TVector.FusedMultiplyAdd(alphas, high, betas * TVector.Load(source + w)).Store(target, w);
        }
    }

    /// <summary>The bias from <paramref name="column"/> on, or null when C is the addend.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* BiasAt(GemmStore* store, int column) => store->Bias == null ? null : store->Bias + column;

    /// <summary>Writes one row of a panel's accumulators to the spill tile (row stride 2·Count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spill(TVector low, TVector high, float* tile)
    {
        var target = new Span<float>(tile, 2 * TVector.Count);
        low.Store(target, 0);
        high.Store(target, TVector.Count);
    }
}
