using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// Cache-blocked single-precision GEMM in the GotoBLAS/BLIS shape, around the micro-kernel
/// <typeparamref name="TKernel"/> (MR × NR tile of C in registers):
/// <code>
/// for jc in n by NC                     B block [KC × NC] packed to scratch (lives in L3)
///   for pc in k by KC
///     for ic in m by MC                 A block [MC × KC] packed to scratch (lives in L2)
///       for jr in NC by NR              B micro-panel [KC × NR] (lives in L1)
///         for ir in MC by MR            micro-kernel: C[ir.., jr..] (+)= A-panel · B-panel
/// </code>
/// A part of C with at most <see cref="FewRowsKernel{TVector}.MaxRows"/> rows skips packing A and the MR-row
/// tiles: <see cref="FewRowsKernel{TVector}"/> reads A in place and B's panels (packed, or a plain row-major B
/// directly), with the same FMA chain per element, so it gives the same bits. The same kernel takes the last
/// rows of a larger block that would otherwise fill a tile padded with zero rows.
/// Packing reorders operands so the kernel reads both contiguously whatever the transposes, and pads them
/// with zeros to whole tiles. Each element of C is accumulated over k in the same KC blocks in the same
/// order no matter how C is cut into tiles, blocks or threads, so results are bit-identical for any thread count
/// and any <see cref="GemmTuning"/> (MC, NC, the few-rows panels and the parallel threshold come from it; KC does not).
/// </summary>
internal static unsafe class GemmDriver<TKernel> where TKernel : struct, IGemmMicroKernel
{
    /// <summary>KC: depth of a packed block; a B micro-panel (KC × NR floats) stays within L1.</summary>
    public const int DepthBlock = 256;

    /// <summary>
    /// C = alpha · op(A) · op(B) + beta · C on raw row-major storage. B is either raw (<paramref name="b"/>,
    /// <paramref name="ldb"/>, <paramref name="transposeB"/>) or, when <paramref name="packedB"/> is not null,
    /// already packed. With a <paramref name="bias"/> (n values), C = alpha · op(A) · op(B) + bias on every row instead:
    /// the first depth block stores over the bias where it would read C (beta 1), the bits of C filled with the bias
    /// first. Arguments are assumed checked.
    /// </summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, PackedMatrix? packedB, float beta, float* c, nint ldc, int threads, GemmTuning tuning,
        float* bias = null)
    {
        if (m == 0 || n == 0)
            return;
        if (k == 0)
        {
            if (bias != null)
                GemmStore.FillRows(new ReadOnlySpan<float>(bias, n), m, c, ldc);
            else
                ScaleOnly(m, n, beta, c, ldc);
            return;
        }

        var problem = new Problem(transposeA, transposeB, k, alpha, a, lda, b, ldb, packedB, beta, c, ldc, tuning, n, bias: bias);
        RunSplit(problem, m, n, (long)m * n * k, threads, tuning);
    }

    /// <summary>
    /// C₁ = alpha · op(A) · B₁ + beta · C₁ and C₂ = alpha · op(A) · B₂ + beta · C₂ (B₁ [k × n₁], B₂ [k × n₂] row-major)
    /// as one product over the logically concatenated columns [B₁ | B₂]: each A block is packed once for both.
    /// Every element of C₁ and C₂ gets the same depth blocks and FMA chains as in two <see cref="Multiply"/> calls,
    /// so the bits are the same. Arguments are assumed checked; C₁ and C₂ must not overlap.
    /// </summary>
    public static void MultiplyPair(
        bool transposeA, int m, int n1, int n2, int k, float alpha, float* a, nint lda,
        float* b1, nint ldb1, float* c1, nint ldc1, float* b2, nint ldb2, float* c2, nint ldc2, float beta, int threads, GemmTuning tuning)
    {
        if (m <= FewRowsKernel<Float128>.MaxRows || n1 == 0 || n2 == 0 || k == 0)
        {
            // Nothing to share (no A panels are packed for so few rows) or nothing to multiply: the plain calls.
            Multiply(transposeA, false, m, n1, k, alpha, a, lda, b1, ldb1, null, beta, c1, ldc1, threads, tuning);
            Multiply(transposeA, false, m, n2, k, alpha, a, lda, b2, ldb2, null, beta, c2, ldc2, threads, tuning);
            return;
        }

        // B₂'s columns start at the first whole panel after B₁'s, so no panel holds columns of both.
        int split = (n1 + TKernel.Columns - 1) / TKernel.Columns * TKernel.Columns;
        var problem = new Problem(transposeA, false, k, alpha, a, lda, b1, ldb1, null, beta, c1, ldc1, tuning, n1, split, b2, ldb2, c2, ldc2);
        RunSplit(problem, m, split + n2, (long)m * (n1 + n2) * k, threads, tuning);
    }

    /// <summary>Runs <paramref name="problem"/> over C's <paramref name="m"/> × <paramref name="n"/> on one thread, or cut into parts for several.</summary>
    private static void RunSplit(Problem problem, int m, int n, long work, int threads, GemmTuning tuning)
    {
        int rowTiles = (m + TKernel.Rows - 1) / TKernel.Rows;
        int columnTiles = (n + TKernel.Columns - 1) / TKernel.Columns;
        // Cut C along whichever side has more tiles; each part is a whole number of tiles and gets at least the
        // tuning's minimum work (at 2²¹ multiply-adds, 32×128·128×512 took 1.6× as long on two threads as on one).
        bool splitColumns = columnTiles >= rowTiles;
        long partsForWork = Math.Max(1, work / tuning.MinimumWorkPerThread);
        int parts = (int)Math.Min(Math.Min(threads, splitColumns ? columnTiles : rowTiles), partsForWork);
        if (parts <= 1)
        {
            problem.Run(0, m, 0, n);
            return;
        }

        RunInParts(problem, m, n, parts, splitColumns);
    }

    /// <summary>
    /// Runs <paramref name="parts"/> whole-tile slices of C in parallel. Kept apart from <see cref="Multiply"/>
    /// because the lambda's closure is allocated on entry to the method that declares its captures, which would
    /// cost the single-threaded path an allocation per call.
    /// </summary>
    private static void RunInParts(Problem problem, int m, int n, int parts, bool splitColumns)
    {
        int rowTiles = (m + TKernel.Rows - 1) / TKernel.Rows;
        int columnTiles = (n + TKernel.Columns - 1) / TKernel.Columns;
        ParallelParts.Run(parts, part =>
        {
            if (splitColumns)
            {
                int first = (int)((long)columnTiles * part / parts) * TKernel.Columns;
                int last = Math.Min(n, (int)((long)columnTiles * (part + 1) / parts) * TKernel.Columns);
                problem.Run(0, m, first, last);
            }
            else
            {
                int first = (int)((long)rowTiles * part / parts) * TKernel.Rows;
                int last = Math.Min(m, (int)((long)rowTiles * (part + 1) / parts) * TKernel.Rows);
                problem.Run(first, last, 0, n);
            }
        });
    }

    /// <summary>
    /// How many of a block's last <paramref name="rows"/> run on the few-rows kernel, in groups of four and a last
    /// smaller one, instead of MR-row tiles (the rest, a whole number of tiles, on the micro-kernel; 0: every row on
    /// tiles, the last one padded). The split that costs least, counting a tile as its MR rows, a group of four as
    /// four, a last group of three as three (it runs against two panels at once) and of one or two as four (their two
    /// FMA chains a row wait on the FMA latency): a padded tile computes MR rows whatever it stores. With MR = 6:
    /// 32 rows as 4 tiles and groups of 4 and 4 (not 6 tiles, the last with 2 rows and 4 of zeros), 31 as 4 tiles
    /// and groups of 4 and 3 (not 5 tiles and a row alone), 29 as 3 tiles and groups of 4, 4 and 3 (not 5 tiles, the
    /// last padded); ties go to the tiles. Each element is the same FMA chain either way (same bits).
    /// </summary>
    internal static int FewRowsAtEnd(int rows)
    {
        int mr = TKernel.Rows, most = FewRowsKernel<Float128>.MaxRows;
        int remainder = rows % mr;
        if (remainder == 0)
            return 0;
        int best = 0, bestCost = (rows / mr + 1) * mr;
        for (int few = remainder; few <= rows; few += mr)
        {
            int cost = (rows - few) + few / most * most + GroupCost(few % most);
            if (cost < bestCost)
                (best, bestCost) = (few, cost);
        }
        return best;
    }

    /// <summary>
    /// What a last group of <paramref name="rows"/> (0 to 3) costs in <see cref="FewRowsAtEnd"/>, in rows at a tile's
    /// throughput: three rows run against two panels at once (twelve FMA chains, as many as a tile), one or two as four.
    /// </summary>
    private static int GroupCost(int rows) => rows switch
    {
        0 => 0,
        3 => 3,
        _ => FewRowsKernel<Float128>.MaxRows,
    };

    /// <summary>Packs all of op(B) [k × n] into <paramref name="target"/> in the layout <see cref="PackedMatrix"/> documents.</summary>
    public static void Pack(bool transposeB, float* b, nint ldb, PackedMatrix target)
    {
        float* packed = target.Pointer;
        for (int pc = 0; pc < target.Depth; pc += DepthBlock)
        {
            int depth = Math.Min(DepthBlock, target.Depth - pc);
            PackB(transposeB, b, ldb, pc, 0, depth, target.Columns, packed + (nint)pc * target.PaddedColumns);
        }
    }

    /// <summary>C = beta · C, for k = 0 (beta = 0 writes zeros whatever C held).</summary>
    private static void ScaleOnly(int m, int n, float beta, float* c, nint ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0f)
                row.Clear();
            else
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>
    /// Packs rows [i0, i0+rows) × depth [p0, p0+depth) of op(A) into MR-wide micro-panels:
    /// panel r at r·depth, element (i, p) at p·MR + i.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackA(bool transposeA, float* a, nint lda, int i0, int p0, int rows, int depth, float* packed)
    {
        int mr = TKernel.Rows;
        if (transposeA)
        {
            // Stored [k × m]: A's column p is row p of the storage, contiguous over i. Walk the storage a few rows at a
            // time (TransposedDepthStep), each row read across every panel: A is often far larger than the caches
            // (∂gates of all steps in the weight gradients), and panel by panel would jump a whole row ahead (often a
            // page) per float copied. Each panel then takes those rows' MR floats in one contiguous run: one row at a
            // time wrote MR floats into every panel, and the panels lie MR·depth floats apart (8 KiB for MR = 8 and
            // KC = 256), so those writes all fell in one set of L1 and evicted each other's lines.
            nint panelStride = (nint)mr * depth;
            for (int step = 0; step < depth; step += TransposedDepthStep)
            {
                int stepEnd = Math.Min(depth, step + TransposedDepthStep);
                float* rowsStart = a + (p0 + step) * lda + i0;
                for (int p = step; p < stepEnd && p + TransposedPrefetchRows < depth; p++)
                    PrefetchRow(a + (p0 + p + TransposedPrefetchRows) * lda + i0, rows);
                // Whole panels take MR floats a row, without the ragged last panel's count and zero fill.
                int ir = 0;
                float* target = packed + step * mr;
                for (; ir + mr <= rows; ir += mr, target += panelStride)
                {
                    float* source = rowsStart + ir;
                    for (int p = step; p < stepEnd; p++, source += lda)
                        CopyWholePanelRow(source, target + (p - step) * mr);
                }
                for (; ir < rows; ir += mr)
                {
                    for (int p = step; p < stepEnd; p++)
                        CopyPanelRow(rowsStart + (p - step) * lda + ir, packed + (nint)ir * depth + p * mr, Math.Min(mr, rows - ir), mr);
                }
            }
            return;
        }

        for (int ir = 0; ir < rows; ir += mr)
        {
            int panelRows = Math.Min(mr, rows - ir);
            float* panel = packed + (nint)ir * depth;
            float* source = a + (i0 + ir) * lda + p0;
            for (int r = ir + PrefetchPanelsAhead * mr; r < Math.Min(rows, ir + (PrefetchPanelsAhead + 1) * mr); r++)
                PrefetchRow(a + (i0 + r) * lda + p0, depth);
            if (!Sse.IsSupported)
                CopyIntoPanel(source, lda, depth, panel, panelRows);
            else if (panelRows == mr)
                TransposeIntoPanel(source, lda, depth, panel, mr);
            else
                TransposeIntoPanel(source, lda, depth, panel, panelRows);
        }
    }

    /// <summary>Packs <paramref name="rows"/> (at most MR) rows of row-major A into one panel float by float, and zeroes its other rows.</summary>
    private static void CopyIntoPanel(float* source, nint lda, int depth, float* panel, int rows)
    {
        int mr = TKernel.Rows;
        for (int r = 0; r < rows; r++)
        {
            for (int p = 0; p < depth; p++)
                panel[p * mr + r] = source[r * lda + p];
        }
        for (int r = rows; r < mr; r++)
        {
            for (int p = 0; p < depth; p++)
                panel[p * mr + r] = 0f;
        }
    }

    /// <summary>
    /// How many rows of a transposed A the pack asks for ahead of the row it copies. Each row of a block is a short
    /// run (MC floats) a whole row of the storage (often a page) after the last one, a pattern the hardware
    /// prefetchers do not follow, and the ∂W products stream A (∂gates of all steps) from L3 or memory.
    /// </summary>
    private const int TransposedPrefetchRows = 8;

    /// <summary>
    /// How many panels ahead the pack of a row-major A asks for the rows it will copy. A large A (∂gates of all steps in
    /// ∂X = ∂gates·W, the inputs in training's projection) comes from L3 or memory in short runs (a block's depth of each
    /// row, a row apart), which the hardware prefetchers hardly follow: such a pack took 2.7–4.5 cycles a float on Zen 5,
    /// 1.5–1.9 with this (0.37 from L1).
    /// </summary>
    private const int PrefetchPanelsAhead = 2;

    /// <summary>
    /// How many depths ahead the pack of a row-major B asks for a whole row of the block while it copies the first panel
    /// (the later panels then find the block in L2): the ∂W products pack the inputs and hidden states of all steps, far
    /// larger than the caches, a panel's columns of each row at a time.
    /// </summary>
    private const int PrefetchDepthsAhead = 8;

    /// <summary>
    /// Rows of a transposed A the pack copies into each panel in one run: 8 rows of MR floats are 256 contiguous bytes
    /// of the panel at MR = 8 (four whole cache lines), 192 at MR = 6.
    /// </summary>
    private const int TransposedDepthStep = 8;

    /// <summary>Asks for the cache lines of <paramref name="count"/> floats from <paramref name="source"/> on (x86; elsewhere nothing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRow(float* source, int count)
    {
        if (!Sse.IsSupported)
            return;
        // One prefetch per 64-byte line, and the line holding the last float (the run need not start on a line).
        float* end = source + count - 1;
        for (; source < end; source += 16)
            Sse.Prefetch0(source);
        Sse.Prefetch0(end);
    }

    /// <summary>
    /// Packs <paramref name="rows"/> (at most MR) rows of row-major A (row r at <paramref name="source"/> + r·<paramref name="lda"/>)
    /// into one panel and zeroes its other rows: four depths at a time, rows in 4×4 blocks transposed in registers (and a
    /// 2×4 block for MR = 6), where a float-by-float copy took about 2.6 cycles per float. The panel holds the same floats
    /// either way. Called with MR for a whole panel, a constant the JIT unrolls by; the last rows of a product (a panel of 5
    /// of 6 rows) take the same blocks as far as they go.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeIntoPanel(float* source, nint lda, int depth, float* panel, int rows)
    {
        int mr = TKernel.Rows;
        int p = 0;
        for (; p + 4 <= depth; p += 4)
        {
            float* target = panel + p * mr;
            int r = 0;
            for (; r + 4 <= rows; r += 4)
            {
                float* row = source + r * lda + p;
                Vector128<float> x0 = Sse.LoadVector128(row), x1 = Sse.LoadVector128(row + lda);
                Vector128<float> x2 = Sse.LoadVector128(row + 2 * lda), x3 = Sse.LoadVector128(row + 3 * lda);
                // t0 = (x0₀ x1₀ x0₁ x1₁), t1 = (x0₂ x1₂ x0₃ x1₃), t2, t3 the same for x2, x3.
                Vector128<float> t0 = Sse.UnpackLow(x0, x1), t1 = Sse.UnpackHigh(x0, x1);
                Vector128<float> t2 = Sse.UnpackLow(x2, x3), t3 = Sse.UnpackHigh(x2, x3);
                Sse.Store(target + r, Sse.MoveLowToHigh(t0, t2));
                Sse.Store(target + mr + r, Sse.MoveHighToLow(t2, t0));
                Sse.Store(target + 2 * mr + r, Sse.MoveLowToHigh(t1, t3));
                Sse.Store(target + 3 * mr + r, Sse.MoveHighToLow(t3, t1));
            }
            if (r + 2 <= rows)
            {
                float* row = source + r * lda + p;
                Vector128<float> x0 = Sse.LoadVector128(row), x1 = Sse.LoadVector128(row + lda);
                Vector128<float> t0 = Sse.UnpackLow(x0, x1), t1 = Sse.UnpackHigh(x0, x1);
                Sse.StoreLow(target + r, t0);
                Sse.StoreHigh(target + mr + r, t0);
                Sse.StoreLow(target + 2 * mr + r, t1);
                Sse.StoreHigh(target + 3 * mr + r, t1);
                r += 2;
            }
            for (; r < rows; r++)
            {
                float* row = source + r * lda + p;
                target[r] = row[0];
                target[mr + r] = row[1];
                target[2 * mr + r] = row[2];
                target[3 * mr + r] = row[3];
            }
            for (; r < mr; r++)
            {
                target[r] = 0f;
                target[mr + r] = 0f;
                target[2 * mr + r] = 0f;
                target[3 * mr + r] = 0f;
            }
        }
        for (; p < depth; p++)
        {
            for (int r = 0; r < mr; r++)
                panel[p * mr + r] = r < rows ? source[r * lda + p] : 0f;
        }
    }

    /// <summary>Copies MR floats (8 or 6; MR is a constant of the kernel) into one row of a panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyWholePanelRow(float* source, float* target)
    {
        int mr = TKernel.Rows, r = 0;
        for (; r + 4 <= mr; r += 4)
            Vector128.Store(Vector128.Load(source + r), target + r);
        if (r + 2 <= mr)
        {
            Unsafe.WriteUnaligned(target + r, Unsafe.ReadUnaligned<long>(source + r));
            r += 2;
        }
        for (; r < mr; r++)
            target[r] = source[r];
    }

    /// <summary>Copies <paramref name="count"/> floats into one MR-wide row of a panel and zeroes the rest of it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPanelRow(float* source, float* target, int count, int mr)
    {
        int r = 0;
        for (; r + 4 <= count; r += 4)
            Vector128.Store(Vector128.Load(source + r), target + r);
        for (; r < count; r++)
            target[r] = source[r];
        for (; r < mr; r++)
            target[r] = 0f;
    }

    /// <summary>
    /// Packs depth [p0, p0+depth) × columns [j0, j0+columns) of op(B) into NR-wide micro-panels:
    /// panel j at j·depth, element (p, j) at p·NR + j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(bool transposeB, float* b, nint ldb, int p0, int j0, int depth, int columns, float* packed)
    {
        int nr = TKernel.Columns;
        for (int jr = 0; jr < columns; jr += nr)
        {
            int panelColumns = Math.Min(nr, columns - jr);
            float* panel = packed + (nint)jr * depth;
            if (transposeB)
            {
                // Stored [n × k]: B's column j is contiguous in memory.
                for (int j = 0; j < panelColumns; j++)
                {
                    float* source = b + (j0 + jr + j) * ldb + p0;
                    for (int p = 0; p < depth; p++)
                        panel[p * nr + j] = source[p];
                }
                for (int p = 0; p < depth; p++)
                    new Span<float>(panel + p * nr + panelColumns, nr - panelColumns).Clear();
            }
            else if (panelColumns == nr)
            {
                // A whole panel row is NR floats (8 to 32): copied in 128-bit vectors, where a call to Memmove per row
                // cost more than the copy (the ∂W products pack a B block per depth block, row by row).
                float* source = b + p0 * ldb + j0 + jr;
                for (int p = 0; p < depth; p++)
                {
                    if (jr == 0 && p + PrefetchDepthsAhead < depth)
                        PrefetchRow(source + PrefetchDepthsAhead * ldb, columns);
                    float* target = panel + p * nr;
                    for (int j = 0; j < nr; j += 4)
                        Vector128.Store(Vector128.Load(source + j), target + j);
                    source += ldb;
                }
            }
            else
            {
                for (int p = 0; p < depth; p++)
                {
                    if (jr == 0 && p + PrefetchDepthsAhead < depth)
                        PrefetchRow(b + (p0 + p + PrefetchDepthsAhead) * ldb + j0, columns);
                    float* target = panel + p * nr;
                    new ReadOnlySpan<float>(b + (p0 + p) * ldb + j0 + jr, panelColumns).CopyTo(new Span<float>(target, panelColumns));
                    new Span<float>(target + panelColumns, nr - panelColumns).Clear();
                }
            }
        }
    }

    /// <summary>One multiply's operands, passed by value to each thread.</summary>
    /// <remarks>
    /// A pair (<see cref="MultiplyPair"/>) has a second B and C: C's columns from <c>split</c> on (a multiple of NR)
    /// are B₂'s and C₂'s from 0, the columns [<c>firstColumns</c>, <c>split</c>) are padding that no panel reads
    /// or writes. A single product has <c>firstColumns</c> = n and <c>split</c> = int.MaxValue.
    /// </remarks>
    private readonly struct Problem(
        bool transposeA, bool transposeB, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, PackedMatrix? packedB, float beta, float* c, nint ldc, GemmTuning tuning,
        int firstColumns, int split = int.MaxValue, float* b2 = null, nint ldb2 = 0, float* c2 = null, nint ldc2 = 0, float* bias = null)
    {
        /// <summary>Packs columns [jc, jc+columns) of C's B (B₁ then B₂ for a pair) at depth [pc, pc+depth) into <paramref name="target"/>.</summary>
        private void PackBlockB(int pc, int jc, int depth, int columns, float* target)
        {
            int end = jc + columns;
            if (jc < split)
                PackB(transposeB, b, ldb, pc, jc, depth, Math.Min(end, firstColumns) - jc, target);
            if (end > split)
            {
                int start = Math.Max(jc, split);
                PackB(false, b2, ldb2, pc, start - split, depth, end - start, target + (nint)(start - jc) * depth);
            }
        }

        /// <summary>C's element (row, column) of the whole product (C₂'s from <c>split</c> on), and that C's row stride.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float* Target(int row, int column, out nint stride)
        {
            if (column < split)
            {
                stride = ldc;
                return c + row * ldc + column;
            }
            stride = ldc2;
            return c2 + row * ldc2 + (column - split);
        }

        /// <summary>Columns of the NR-wide panel at <paramref name="column"/> that hold data, within a block ending at <paramref name="blockEnd"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int PanelColumns(int column, int blockEnd) =>
            Math.Min(TKernel.Columns, (column < split ? Math.Min(blockEnd, firstColumns) : blockEnd) - column);

        /// <summary>MC: the tuning's rows of a packed A block, in whole micro-kernel rows.</summary>
        private int RowBlock => Math.Max(TKernel.Rows, tuning.RowBlock / TKernel.Rows * TKernel.Rows);

        /// <summary>NC: the tuning's columns of a packed B block, in whole panels.</summary>
        private int ColumnBlock => Math.Max(TKernel.Columns, tuning.ColumnBlock / TKernel.Columns * TKernel.Columns);

        /// <summary>Computes the block rows [rowStart, rowEnd) × columns [columnStart, columnEnd) of C; column bounds are multiples of NR (or n).</summary>
        public void Run(int rowStart, int rowEnd, int columnStart, int columnEnd)
        {
            if (rowEnd - rowStart <= FewRowsKernel<Float128>.MaxRows)
            {
                if (split == int.MaxValue)
                {
                    RunFewRows(rowStart, rowEnd - rowStart, columnStart, columnEnd);
                    return;
                }

                // A pair's few rows (the last part of a split by rows) pack no A to share: each C on its own.
                if (columnStart < split)
                    new Problem(transposeA, transposeB, k, alpha, a, lda, b, ldb, null, beta, c, ldc, tuning, firstColumns)
                        .RunFewRows(rowStart, rowEnd - rowStart, columnStart, Math.Min(columnEnd, firstColumns));
                if (columnEnd > split)
                    new Problem(transposeA, false, k, alpha, a, lda, b2, ldb2, null, beta, c2, ldc2, tuning, columnEnd - split)
                        .RunFewRows(rowStart, rowEnd - rowStart, Math.Max(columnStart, split) - split, columnEnd - split);
                return;
            }

            int mc = RowBlock, nc = ColumnBlock;
            float* packedA = GemmScratch.ForA(mc * DepthBlock);
            float* tile = stackalloc float[TKernel.Rows * TKernel.Columns];
            // The B block is at most NC wide, and no wider than this part of C (rounded up to whole panels).
            int blockWidth = Math.Min(nc, (columnEnd - columnStart + TKernel.Columns - 1) / TKernel.Columns * TKernel.Columns);
            float* scratchB = packedB is null ? GemmScratch.ForB(blockWidth * DepthBlock) : null;
            for (int jc = columnStart; jc < columnEnd; jc += nc)
            {
                int columns = Math.Min(nc, columnEnd - jc);
                for (int pc = 0; pc < k; pc += DepthBlock)
                {
                    int depth = Math.Min(DepthBlock, k - pc);
                    float* blockB;
                    if (packedB is null)
                    {
                        PackBlockB(pc, jc, depth, columns, scratchB);
                        blockB = scratchB;
                    }
                    else
                    {
                        blockB = packedB.Pointer + (nint)pc * packedB.PaddedColumns + (nint)jc * depth;
                    }

                    GemmStore store = GemmStore.ForDepthBlock(pc, alpha, beta, bias);
                    for (int ic = rowStart; ic < rowEnd; ic += mc)
                    {
                        int rows = Math.Min(mc, rowEnd - ic);
                        // The last rows may go to the few-rows kernel, panel by panel while the panel is in L1,
                        // rather than fill a tile padded with zero rows (see FewRowsAtEnd).
                        int fewRows = FewRowsAtEnd(rows), tiledRows = rows - fewRows;
                        PackA(transposeA, a, lda, ic, pc, tiledRows, depth, packedA);
                        float* aFew = a + (ic + tiledRows) * ARowStride + pc * ADepthStride;
                        for (int jr = 0; jr < columns; jr += TKernel.Columns)
                        {
                            int tileColumns = PanelColumns(jc + jr, jc + columns);
                            float* panelB = blockB + (nint)jr * depth;
                            float* cTile = Target(ic, jc + jr, out nint cStride);
                            for (int ir = 0; ir < tiledRows; ir += TKernel.Rows)
                            {
                                TKernel.Run(
                                    depth, packedA + (nint)ir * depth, panelB, cTile + ir * cStride, cStride,
                                    Math.Min(TKernel.Rows, tiledRows - ir), tileColumns, &store, jc + jr, tile);
                            }
                            for (int ir = 0; ir < fewRows; ir += FewRowsKernel<Float128>.MaxRows)
                            {
                                int groupRows = Math.Min(FewRowsKernel<Float128>.MaxRows, fewRows - ir);
                                if (groupRows == 3)
                                {
                                    // Three rows take two whole panels at once, at the second of each pair (the first
                                    // waits for it); a panel without a partner runs them alone, as four.
                                    bool second = jr / TKernel.Columns % 2 == 1;
                                    if (!second && IsWholePanelPair(jc + jr, jc + columns))
                                        continue;
                                    if (second && IsWholePanelPair(jc + jr - TKernel.Columns, jc + columns))
                                    {
                                        float* cPair = Target(ic + tiledRows + ir, jc + jr - TKernel.Columns, out nint pairStride);
                                        RunThreeRowsPanelPair(
                                            depth, aFew + ir * ARowStride, ARowStride, ADepthStride, panelB - (nint)TKernel.Columns * depth,
                                            (nint)TKernel.Columns * depth, cPair, pairStride, &store, jc + jr - TKernel.Columns);
                                        continue;
                                    }
                                }
                                RunPanel(
                                    groupRows, depth, aFew + ir * ARowStride, ARowStride, ADepthStride,
                                    panelB, cTile + (tiledRows + ir) * cStride, cStride, tileColumns, tile, &store, jc + jr);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>Row i, depth p of op(A) sits at a + i·ARowStride + p·ADepthStride.</summary>
        private nint ARowStride => transposeA ? 1 : lda;

        /// <summary>See <see cref="ARowStride"/>.</summary>
        private nint ADepthStride => transposeA ? lda : 1;

        /// <summary>
        /// <see cref="Run"/> for at most <see cref="FewRowsKernel{TVector}.MaxRows"/> rows: the same depth blocks
        /// and the same store per block as the tiled path, without padding the rows to MR.
        /// </summary>
        private void RunFewRows(int rowStart, int rows, int columnStart, int columnEnd)
        {
            int nr = TKernel.Columns, nc = ColumnBlock;
            nint aRowStride = ARowStride, aDepthStride = ADepthStride;
            int blockWidth = Math.Min(nc, (columnEnd - columnStart + nr - 1) / nr * nr);
            float* scratchB = packedB is null ? GemmScratch.ForB(blockWidth * DepthBlock) : null;
            for (int jc = columnStart; jc < columnEnd; jc += nc)
            {
                int columns = Math.Min(nc, columnEnd - jc);
                for (int pc = 0; pc < k; pc += DepthBlock)
                {
                    int depth = Math.Min(DepthBlock, k - pc);
                    GemmStore store = GemmStore.ForDepthBlock(pc, alpha, beta, bias);
                    float* aBlock = a + rowStart * aRowStride + pc * aDepthStride;
                    float* cBlock = c + rowStart * ldc + jc;
                    float* biasBlock = store.Bias == null ? null : store.Bias + jc;
                    if (packedB is not null)
                    {
                        float* blockB = packedB.Pointer + (nint)pc * packedB.PaddedColumns + (nint)jc * depth;
                        RunKernel(rows, depth, aBlock, aRowStride, aDepthStride, blockB, nr * depth, nr, columns, cBlock, ldc, store.Beta, store.Overwrite, biasBlock);
                    }
                    else if (!transposeB)
                    {
                        // Whole panels straight from row-major B; only the ragged last panel is packed (zero-padded),
                        // since reading NR columns there could run past the end of B.
                        int direct = columns / nr * nr;
                        RunKernel(rows, depth, aBlock, aRowStride, aDepthStride, b + pc * ldb + jc, nr, ldb, direct, cBlock, ldc, store.Beta, store.Overwrite, biasBlock);
                        if (direct < columns)
                        {
                            PackB(false, b, ldb, pc, jc + direct, depth, columns - direct, scratchB);
                            RunKernel(
                                rows, depth, aBlock, aRowStride, aDepthStride, scratchB, nr * depth, nr, columns - direct, cBlock + direct, ldc, store.Beta, store.Overwrite,
                                biasBlock == null ? null : biasBlock + direct);
                        }
                    }
                    else
                    {
                        PackB(true, b, ldb, pc, jc, depth, columns, scratchB);
                        RunKernel(rows, depth, aBlock, aRowStride, aDepthStride, scratchB, nr * depth, nr, columns, cBlock, ldc, store.Beta, store.Overwrite, biasBlock);
                    }
                }
            }
        }

        /// <summary>Whether the panels at <paramref name="column"/> and the next are both whole, within the block, and of the same C.</summary>
        private bool IsWholePanelPair(int column, int blockEnd) =>
            PanelColumns(column, blockEnd) == TKernel.Columns && PanelColumns(column + TKernel.Columns, blockEnd) == TKernel.Columns
            && (column < split) == (column + TKernel.Columns < split);

        /// <summary><see cref="FewRowsKernel{TVector}.ThreeRowsTwoPanels"/> at the micro-kernel's width, on two packed B panels.</summary>
        private static void RunThreeRowsPanelPair(
            int depth, float* a, nint aRowStride, nint aDepthStride, float* panelB, nint panelStride, float* c, nint ldc, GemmStore* store, int column)
        {
            if (typeof(TKernel) == typeof(Avx512MicroKernel))
                FewRowsKernel<Float512>.ThreeRowsTwoPanels(depth, a, aRowStride, aDepthStride, panelB, panelStride, TKernel.Columns, c, ldc, store, column);
            else if (typeof(TKernel) == typeof(Avx2MicroKernel))
                FewRowsKernel<Float256>.ThreeRowsTwoPanels(depth, a, aRowStride, aDepthStride, panelB, panelStride, TKernel.Columns, c, ldc, store, column);
            else
                FewRowsKernel<Float128>.ThreeRowsTwoPanels(depth, a, aRowStride, aDepthStride, panelB, panelStride, TKernel.Columns, c, ldc, store, column);
        }

        /// <summary>
        /// <see cref="FewRowsKernel{TVector}.Panel"/> at the micro-kernel's width, on one packed B panel (NR = the few-rows
        /// kernel's panel width), with the tile's store and spill room.
        /// </summary>
        private static void RunPanel(
            int rows, int depth, float* a, nint aRowStride, nint aDepthStride, float* panelB, float* c, nint ldc, int columns,
            float* tile, GemmStore* store, int column)
        {
            if (typeof(TKernel) == typeof(Avx512MicroKernel))
                FewRowsKernel<Float512>.Panel(rows, depth, a, aRowStride, aDepthStride, panelB, TKernel.Columns, c, ldc, columns, tile, store, column);
            else if (typeof(TKernel) == typeof(Avx2MicroKernel))
                FewRowsKernel<Float256>.Panel(rows, depth, a, aRowStride, aDepthStride, panelB, TKernel.Columns, c, ldc, columns, tile, store, column);
            else
                FewRowsKernel<Float128>.Panel(rows, depth, a, aRowStride, aDepthStride, panelB, TKernel.Columns, c, ldc, columns, tile, store, column);
        }

        /// <summary>Runs the few-rows kernel of the vector width that matches <typeparamref name="TKernel"/>'s NR.</summary>
        private void RunKernel(
            int rows, int depth, float* aBlock, nint aRowStride, nint aDepthStride,
            float* blockB, nint panelStride, nint rowStride, int columns, float* cBlock, nint ldc, float blockBeta, bool overwrite, float* biasBlock)
        {
            if (columns == 0)
                return;
            // typeof comparisons on a struct type argument are folded by the JIT: one branch survives per kernel.
            if (typeof(TKernel) == typeof(Avx512MicroKernel))
                FewRowsKernel<Float512>.Run(tuning.OneRowPanels, rows, depth, aBlock, aRowStride, aDepthStride, blockB, panelStride, rowStride, columns, cBlock, ldc, alpha, blockBeta, overwrite, biasBlock);
            else if (typeof(TKernel) == typeof(Avx2MicroKernel))
                FewRowsKernel<Float256>.Run(tuning.OneRowPanels, rows, depth, aBlock, aRowStride, aDepthStride, blockB, panelStride, rowStride, columns, cBlock, ldc, alpha, blockBeta, overwrite, biasBlock);
            else
                FewRowsKernel<Float128>.Run(tuning.OneRowPanels, rows, depth, aBlock, aRowStride, aDepthStride, blockB, panelStride, rowStride, columns, cBlock, ldc, alpha, blockBeta, overwrite, biasBlock);
        }
    }
}
