namespace Microsoft.ML.Lstm.Numerics;

/// <summary>The recurrent step's product, run unit group by unit group with the cell's kernel between groups.</summary>
internal static unsafe partial class GemmDriver<TKernel>
{
    /// <summary>
    /// C [rows × G·H] += A [rows × k] · B, with B packed, its G·H columns gate-major (gate g's unit j at column
    /// g·H + j, H a multiple of NR), then <paramref name="cells"/> on every block of NR units as soon as its G panels
    /// are final:
    /// <code>
    /// for ic in rows by MC                  A block [MC × k], every depth block, packed once (L2)
    ///   for unit block u in H by NR         cells.Prefetch: the block's states, while its product runs
    ///     for gate g                        B panel of columns g·H + u .. + NR (L1)
    ///       for pc in k by KC
    ///         for ir in MC by MR            micro-kernel (the last rows on the few-rows kernel)
    ///     cells.Apply(ic, rows, u, NR)      the block's G·NR gate values per row, still in L1
    /// </code>
    /// The plain product finishes all of C (G·H columns of every row: 256 KB for a batch of 64 at H = 256) before the
    /// cell's kernel starts, which then reads it back from L2 or beyond. Every element is the same FMA chain per depth
    /// block, folded into C in the same order with alpha = beta = 1 as <see cref="Multiply"/> does it, so the bits are
    /// those of the plain product followed by the whole-row kernel.
    /// </summary>
    public static void MultiplyByUnitGroups<TCells>(
        int rows, float* a, nint lda, PackedMatrix b, float* c, nint ldc, int gateCount, GemmTuning tuning, ref TCells cells)
        where TCells : IUnitGroupKernel, allows ref struct
    {
        int k = b.Depth, hidden = b.Columns / gateCount, mr = TKernel.Rows, nr = TKernel.Columns;
        int mc = Math.Max(mr, tuning.RowBlock / mr * mr);
        for (int ic = 0; ic < rows; ic += mc)
        {
            int blockRows = Math.Min(mc, rows - ic);
            int fewRows = Problem.FewRowsAtEnd(blockRows), tiledRows = blockRows - fewRows;
            int paddedRows = (tiledRows + mr - 1) / mr * mr;
            // Depth block pc of the packed rows starts at paddedRows·pc, in PackA's layout.
            float* packedA = GemmScratch.ForA(paddedRows * k);
            for (int pc = 0; pc < k; pc += DepthBlock)
                PackA(false, a, lda, ic, pc, tiledRows, Math.Min(DepthBlock, k - pc), packedA + (nint)paddedRows * pc);
            float* aFew = a + (ic + tiledRows) * lda;
            for (int unit = 0; unit < hidden; unit += nr)
            {
                cells.Prefetch(ic, blockRows, unit, nr);
                for (int gate = 0; gate < gateCount; gate++)
                {
                    int column = gate * hidden + unit;
                    float* cBlock = c + ic * ldc + column;
                    for (int pc = 0; pc < k; pc += DepthBlock)
                    {
                        int depth = Math.Min(DepthBlock, k - pc);
                        float* panelB = b.Pointer + (nint)pc * b.PaddedColumns + (nint)column * depth;
                        float* blockA = packedA + (nint)paddedRows * pc;
                        for (int ir = 0; ir < tiledRows; ir += mr)
                            TKernel.Run(depth, blockA + (nint)ir * depth, panelB, cBlock + ir * ldc, ldc, Math.Min(mr, tiledRows - ir), nr, 1f, 1f, false);
                        for (int ir = 0; ir < fewRows; ir += FewRowsKernel<Float128>.MaxRows)
                        {
                            RunFewRows(
                                Math.Min(FewRowsKernel<Float128>.MaxRows, fewRows - ir), depth, aFew + ir * lda + pc, lda,
                                panelB, nr, cBlock + (tiledRows + ir) * ldc, ldc, tuning);
                        }
                    }
                }
                cells.Apply(ic, blockRows, unit, nr);
            }
        }
    }

    /// <summary>C (+)= A · one B panel for up to four rows, A read in place, on the few-rows kernel of this NR.</summary>
    private static void RunFewRows(int rows, int depth, float* a, nint lda, float* panelB, int nr, float* c, nint ldc, GemmTuning tuning)
    {
        if (typeof(TKernel) == typeof(Avx512MicroKernel))
            FewRowsKernel<Float512>.Run(tuning.OneRowPanels, rows, depth, a, lda, 1, panelB, nr * depth, nr, nr, c, ldc, 1f, 1f, false);
        else if (typeof(TKernel) == typeof(Avx2MicroKernel))
            FewRowsKernel<Float256>.Run(tuning.OneRowPanels, rows, depth, a, lda, 1, panelB, nr * depth, nr, nr, c, ldc, 1f, 1f, false);
        else
            FewRowsKernel<Float128>.Run(tuning.OneRowPanels, rows, depth, a, lda, 1, panelB, nr * depth, nr, nr, c, ldc, 1f, 1f, false);
    }
}
