using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// C[m×n] = alpha · A[m×k] · op(B) + beta · C with op(B) compressed (<see cref="CompressedPackedMatrix"/>): bfloat16
/// weights, or int8 weights with a scale per column of op(B). A product streams 2 or 1 bytes per weight from cache
/// where the float GEMM streams 4, which is what makes one-row scoring, reading every recurrent weight at every step,
/// faster. bfloat16 weights are widened to floats in registers (<see cref="BFloat16FewRowsKernel{TVector}"/>);
/// int8 weights are multiplied as integers by A's rows rounded to 7-bit integers (<see cref="Int8Rows"/>,
/// <see cref="Int8Kernel{TQuads, TFloat}"/>), four depths per lane.
/// </summary>
/// <remarks>
/// <para>
/// Vector widths: bfloat16 512-bit (AVX-512, the float GEMM's kernels), 256-bit (AVX2 + FMA) and 128-bit (SSE4.1, or NEON
/// on ARM64); int8 256-bit (also what an AVX-512 machine runs: there is no 512-bit int8 kernel) and 128-bit. The int8
/// kernel's three instructions a quad become AVX-VNNI's VPDPBUSD where the CPU has it (the same exact sums: tested on a
/// Zen 5, where one-row int8 scoring runs about 0.8× the time it takes without it). AVX512_BF16's dot product (VDPBF16PS)
/// is not used: it sums pairs of products in one rounding, which would break the guarantee below.
/// </para>
/// <para>
/// k is cut into <see cref="DepthBlock"/> blocks as the float GEMM cuts it. bfloat16: up to four rows of C run the
/// few-rows kernel, which widens as it loads; more rows widen each block of B once into float panels and run the float
/// micro-kernel on them; either way every element of C is one FMA chain per depth block, stored with its column's
/// multiplier, and the results are the float GEMM's on the widened weights, bit for bit. int8: every element's sum over
/// a depth block is an exact integer, converted and stored with its row's and column's scales. Either way the results
/// are bit-identical for 1 row or many, 1 thread or many, either width, which keeps a step-at-a-time run equal to a
/// whole-sequence run.
/// </para>
/// </remarks>
internal static unsafe class CompressedGemm
{
    /// <summary>KC: the depth block, the float GEMM's (<see cref="GemmDriver{TKernel}.DepthBlock"/>).</summary>
    public const int DepthBlock = GemmDriver<Vector128MicroKernel>.DepthBlock;

    /// <summary>Panels of B the tiled path (more than four rows of C) widens at once: 8·NR columns × KC depths of floats, 128 KB at 256 bits, 256 KB at 512.</summary>
    private const int TiledPanels = 8;

    /// <summary>
    /// The vector width this CPU runs compressed products of <paramref name="format"/> at: bfloat16 at the float GEMM's
    /// widest (<see cref="GemmKernel.Avx512"/> included: it widens into the same float kernels), int8 at
    /// <see cref="GemmKernel.Avx2"/> (256-bit) or <see cref="GemmKernel.Vector128"/>.
    /// </summary>
    internal static GemmKernel BestKernelFor(WeightFormat format) =>
        format == WeightFormat.BFloat16 && IsSupported(GemmKernel.Avx512, format) ? GemmKernel.Avx512
        : IsSupported(GemmKernel.Avx2, format) ? GemmKernel.Avx2 : GemmKernel.Vector128;

    /// <summary>
    /// Whether this CPU can run compressed products of <paramref name="format"/> at the width of <paramref name="kernel"/>:
    /// the 512-bit width for bfloat16 only (int8 has no 512-bit kernel); the 256-bit one needs AVX2, whose integer vectors
    /// widen and multiply the compressed weights, where the float GEMM's runs on AVX alone.
    /// </summary>
    internal static bool IsSupported(GemmKernel kernel, WeightFormat format) => kernel switch
    {
        GemmKernel.Avx512 => format == WeightFormat.BFloat16 && Gemm.IsSupported(kernel),
        GemmKernel.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        _ => Gemm.IsSupported(kernel),
    };

    /// <summary>Packs op(B) = Wᵀ, W being <paramref name="weights"/> [n × k], for this CPU's width for its format.</summary>
    public static CompressedPackedMatrix Pack(QuantizedMatrix weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return Pack(BestKernelFor(weights.Format), weights);
    }

    /// <summary>Packs op(B) = Wᵀ for the width of <paramref name="kernel"/>, which must run the weights' format (<see cref="IsSupported"/>).</summary>
    internal static CompressedPackedMatrix Pack(GemmKernel kernel, QuantizedMatrix weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        CheckKernel(kernel, weights.Format);
        int nr = Gemm.PanelWidthOf(kernel);
        int depth = weights.Columns, columns = weights.Rows;
        var packed = new CompressedPackedMatrix(weights.Format, depth, columns, nr);
        int bytes = packed.BytesPerWeight;
        byte* target = packed.Pointer;
        new Span<byte>(target, checked(packed.PaddedDepth * packed.PaddedColumns * bytes)).Clear();
        int perRow = packed.DepthsPerRow;
        for (int pc = 0; pc < depth; pc += DepthBlock)
        {
            int blockDepth = Math.Min(DepthBlock, depth - pc);
            byte* block = target + (nint)pc * packed.PaddedColumns * bytes;
            // Packed rows of two depths (bfloat16 words) or four (int8 quads): depth p at row p / perRow, at place p % perRow in its lane.
            int rows = (blockDepth + perRow - 1) / perRow;
            for (int j = 0; j < columns; j++)
            {
                // Column j of op(B) is row j of W; it sits in panel j / NR at lane j % NR.
                nint lane = ((nint)(j / nr) * nr * rows + j % nr) * perRow;
                int sum = 0;
                for (int p = 0; p < blockDepth; p++)
                {
                    nint index = lane + (nint)(p / perRow) * nr * perRow + p % perRow;
                    if (bytes == 2)
                    {
                        ((ushort*)block)[index] = weights.BFloat16Values![j * depth + pc + p];
                    }
                    else
                    {
                        sbyte weight = weights.Int8Values![j * depth + pc + p];
                        ((sbyte*)block)[index] = weight;
                        sum += weight;
                    }
                }
                if (packed.Offsets is { } offsets)
                    offsets[pc / DepthBlock * packed.PaddedColumns + j] = -Int8Rows.Offset * sum;
            }
        }
        var scales = new Span<float>(packed.Scales, packed.PaddedColumns);
        scales.Clear();
        for (int j = 0; j < columns; j++)
            scales[j] = weights.Scale(j);
        return packed;
    }

    /// <summary>
    /// C = alpha · A · op(B) + beta · C with A [m × k] row-major (row stride <paramref name="lda"/>). When beta is zero,
    /// C is overwritten. With fewer than <see cref="GemmTuning.MinimumWorkPerThread"/> multiply-adds per thread it runs on the calling
    /// thread; above, on up to <paramref name="threads"/>, split by panels of columns.
    /// </summary>
    public static void Multiply(int m, float alpha, ReadOnlySpan<float> a, int lda, CompressedPackedMatrix b, float beta, Span<float> c, int ldc, int threads = 1) =>
        MultiplyOverBias(m, alpha, a, lda, b, beta, ReadOnlySpan<float>.Empty, c, ldc, threads);

    /// <summary>
    /// C = A · op(B) + bias, the n values of <paramref name="bias"/> added to every row of C: the same bits as C filled
    /// with the bias row by row and then <see cref="Multiply(int, float, ReadOnlySpan{float}, int, CompressedPackedMatrix, float, Span{float}, int, int)"/>
    /// with alpha 1 and beta 1. The first depth block stores each element as fma(m, v, bias) straight away, sparing a
    /// pass that writes the bias over C and the store's read of it back (a layer's input projection: the gates of every
    /// step, far larger than the caches); only bfloat16's few-rows kernel (at most four rows) has C filled first.
    /// </summary>
    public static void MultiplyAddingBias(int m, ReadOnlySpan<float> a, int lda, CompressedPackedMatrix b, ReadOnlySpan<float> bias, Span<float> c, int ldc, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (bias.Length != b.Columns)
            throw new ArgumentException($"The bias holds {bias.Length} values; the product has {b.Columns} columns.", nameof(bias));
        MultiplyOverBias(m, 1f, a, lda, b, 1f, bias, c, ldc, threads);
    }

    /// <summary>The product, with a bias to store over (see <see cref="MultiplyAddingBias"/>) when <paramref name="bias"/> is not empty.</summary>
    private static void MultiplyOverBias(int m, float alpha, ReadOnlySpan<float> a, int lda, CompressedPackedMatrix b, float beta, ReadOnlySpan<float> bias, Span<float> c, int ldc, int threads)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        Gemm.CheckOperand("A", m, b.Depth, a.Length, lda);
        Gemm.CheckOperand("C", m, b.Columns, c.Length, ldc);
        if (m == 0 || b.Columns == 0)
            return;
        fixed (float* aPointer = a)
        fixed (float* biasPointer = bias)
        fixed (float* cPointer = c)
        {
            byte* quantized = null;
            float* rowScales = null;
            if (b.Format == WeightFormat.Int8)
            {
                // A's rows as bytes, once for every thread: m scales, then [m × PaddedDepth] bytes (whole floats: PaddedDepth is a multiple of 4).
                long floats = (long)m * Int8Rows.PaddedDepth(b.Depth) / sizeof(float);
                float* scratch = GemmScratch.ForQuantizedA(checked((int)(m + floats)));
                rowScales = scratch;
                quantized = (byte*)(scratch + m);
                Int8Rows.Quantize(m, b.Depth, aPointer, lda, quantized, rowScales);
            }
            var problem = new Problem(m, alpha, aPointer, lda, quantized, rowScales, b, beta, bias.IsEmpty ? null : biasPointer, cPointer, ldc);
            int panels = b.PaddedColumns / b.PanelWidth;
            long partsForWork = Math.Max(1, (long)m * b.Columns * b.Depth / GemmTuning.Current.MinimumWorkPerThread);
            int parts = (int)Math.Min(Math.Min(threads, panels), partsForWork);
            if (parts <= 1)
                problem.Run(0, b.Columns);
            else
                RunInParts(problem, panels, parts);
        }
    }

    /// <summary>Runs whole-panel slices of C's columns in parallel; apart from <see cref="Multiply"/> so its closure costs the one-thread path nothing.</summary>
    private static void RunInParts(Problem problem, int panels, int parts)
    {
        int nr = problem.B.PanelWidth, n = problem.B.Columns;
        ParallelParts.Run(parts, part =>
        {
            int first = (int)((long)panels * part / parts) * nr;
            int last = Math.Min(n, (int)((long)panels * (part + 1) / parts) * nr);
            problem.Run(first, last);
        });
    }

    private static void CheckKernel(GemmKernel kernel, WeightFormat format)
    {
        if (!IsSupported(kernel, format))
            throw new PlatformNotSupportedException($"This CPU has no {format} kernel at the width of the {kernel} GEMM kernel.");
    }

    /// <summary>
    /// One multiply's operands, passed by value to each thread; for int8, A also as <see cref="Int8Rows"/>
    /// (<paramref name="quantized"/>, row stride <see cref="Int8Rows.PaddedDepth"/>, and <paramref name="rowScales"/>).
    /// </summary>
    private readonly struct Problem(
        int m, float alpha, float* a, nint lda, byte* quantized, float* rowScales, CompressedPackedMatrix b, float beta, float* bias, float* c, nint ldc)
    {
        public CompressedPackedMatrix B => b;

        /// <summary>Computes columns [columnStart, columnEnd) of every row of C; columnStart is a multiple of NR.</summary>
        public void Run(int columnStart, int columnEnd)
        {
            // The packed matrix's panel width says which width it was packed for.
            bool wide = b.PanelWidth == Gemm.PanelWidthOf(GemmKernel.Avx2);
            if (b.Format == WeightFormat.Int8)
            {
                if (wide)
                    RunInt8<Int8Quads256, Float256>(columnStart, columnEnd);
                else
                    RunInt8<Int8Quads128, Float128>(columnStart, columnEnd);
            }
            else if (b.PanelWidth == Gemm.PanelWidthOf(GemmKernel.Avx512))
                RunBFloat16<Float512, Avx512MicroKernel>(columnStart, columnEnd);
            else if (wide)
                RunBFloat16<Float256, Avx2MicroKernel>(columnStart, columnEnd);
            else
                RunBFloat16<Float128, Vector128MicroKernel>(columnStart, columnEnd);
        }

        /// <summary>
        /// int8: the integer kernel over each depth block, up to four rows at a time across all the columns (the rows'
        /// bytes stay in L1 while the block's weights stream from L2), stored with the rows' and columns' scales.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunInt8<TQuads, TFloat>(int columnStart, int columnEnd)
            where TQuads : struct, IInt8QuadVector<TQuads, TFloat>
            where TFloat : struct, IFloatVector<TFloat>
        {
            int nr = b.PanelWidth, k = b.Depth, columns = columnEnd - columnStart;
            nint stride = Int8Rows.PaddedDepth(k);
            float* columnScales = b.Scales + columnStart;
            fixed (int* offsets = b.Offsets)
            {
                for (int pc = 0; pc < k; pc += DepthBlock)
                {
                    int quads = (Math.Min(DepthBlock, k - pc) + 3) / 4;
                    GemmStore store = GemmStore.ForDepthBlock(pc, alpha, beta, bias == null ? null : bias + columnStart);
                    // Earlier blocks are whole (multiples of four) depths, so a block starts at pc weights per padded column.
                    sbyte* block = (sbyte*)b.Pointer + (nint)pc * b.PaddedColumns + (nint)columnStart * quads * 4;
                    int* blockOffsets = offsets + pc / DepthBlock * b.PaddedColumns + columnStart;
                    for (int i = 0; i < m; i += Int8Kernel<TQuads, TFloat>.MaxRows)
                    {
                        int rows = Math.Min(Int8Kernel<TQuads, TFloat>.MaxRows, m - i);
                        Int8Kernel<TQuads, TFloat>.Run(
                            rows, quads, quantized + i * stride + pc, stride, rowScales + i, block, (nint)nr * quads * 4, blockOffsets, columnScales, columns,
                            c + i * ldc + columnStart, ldc, alpha, store.Beta, store.Overwrite, store.Bias);
                    }
                }
            }
        }

        /// <summary>bfloat16: up to four rows run the few-rows kernel (<see cref="RunFewRows{TVector}"/>), more the tiled path (<see cref="RunTiled{TVector, TKernel}"/>).</summary>
        private void RunBFloat16<TVector, TKernel>(int columnStart, int columnEnd)
            where TVector : struct, IWideningVector<TVector>
            where TKernel : struct, IGemmMicroKernel
        {
            if (m > BFloat16FewRowsKernel<TVector>.MaxRows)
                RunTiled<TVector, TKernel>(columnStart, columnEnd);
            else
                RunFewRows<TVector>(columnStart, columnEnd);
        }

        /// <summary>bfloat16, at most four rows: the few-rows kernel on the packed words, widening as it loads.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunFewRows<TVector>(int columnStart, int columnEnd)
            where TVector : struct, IWideningVector<TVector>
        {
            int nr = b.PanelWidth, bytes = b.BytesPerWeight, k = b.Depth, columns = columnEnd - columnStart;
            const int depthsPerWord = BFloat16FewRowsKernel<TVector>.DepthsPerWord, wordBytes = BFloat16FewRowsKernel<TVector>.WordBytes;
            float* scales = b.Scales + columnStart;
            int oneRowPanels = GemmTuning.Current.OneRowPanels;
            // Its stores take the columns' scales, not a bias: C holds the bias first (at most four rows of it), which
            // the first block adds onto with the beta of 1 that comes with a bias.
            if (bias != null)
                GemmStore.FillRows(new ReadOnlySpan<float>(bias + columnStart, columns), m, c + columnStart, ldc);
            for (int pc = 0; pc < k; pc += DepthBlock)
            {
                int depth = Math.Min(DepthBlock, k - pc);
                GemmStore store = GemmStore.ForDepthBlock(pc, alpha, beta, null);
                int packedRows = (depth + depthsPerWord - 1) / depthsPerWord;
                // Earlier blocks are whole (even) depths, so a block starts at pc weights per padded column.
                byte* block = b.Pointer + (nint)pc * b.PaddedColumns * bytes + (nint)columnStart * packedRows * wordBytes;
                for (int i = 0; i < m; i += BFloat16FewRowsKernel<TVector>.MaxRows)
                {
                    int rows = Math.Min(BFloat16FewRowsKernel<TVector>.MaxRows, m - i);
                    BFloat16FewRowsKernel<TVector>.Run(
                        oneRowPanels, rows, depth, a + i * lda + pc, lda, 1, block, (nint)nr * packedRows * wordBytes, (nint)nr * wordBytes, scales, columns,
                        c + i * ldc + columnStart, ldc, alpha, store.Beta, store.Overwrite);
                }
            }
        }

        /// <summary>
        /// bfloat16, more rows: each depth block of B is widened once into float panels (exact) and A packed, and the
        /// float micro-kernel computes and stores each MR × NR tile: bfloat16's column scales are 1, so its store is the
        /// few-rows kernel's, and the chains are the same: the same bits, the widening paid once for all rows.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunTiled<TVector, TKernel>(int columnStart, int columnEnd)
            where TVector : struct, IWideningVector<TVector>
            where TKernel : struct, IGemmMicroKernel
        {
            int nr = b.PanelWidth, mr = TKernel.Rows, bytes = b.BytesPerWeight, k = b.Depth;
            const int depthsPerWord = BFloat16FewRowsKernel<TVector>.DepthsPerWord, wordBytes = BFloat16FewRowsKernel<TVector>.WordBytes;
            int rowBlock = mr * 16, columnBlock = nr * TiledPanels;
            float* packedA = GemmScratch.ForA(rowBlock * DepthBlock);
            float* widened = GemmScratch.ForB(columnBlock * DepthBlock);
            float* tile = stackalloc float[mr * nr];
            for (int pc = 0; pc < k; pc += DepthBlock)
            {
                int depth = Math.Min(DepthBlock, k - pc);
                int packedRows = (depth + depthsPerWord - 1) / depthsPerWord;
                // The micro-kernels find a column's bias at bias + its column of C.
                GemmStore store = GemmStore.ForDepthBlock(pc, alpha, beta, bias);
                for (int ic = 0; ic < m; ic += rowBlock)
                {
                    // A block packed once, B widened once per block of columns (once in all for up to MR·16 rows).
                    int rows = Math.Min(rowBlock, m - ic);
                    GemmDriver<TKernel>.PackA(false, a, lda, ic, pc, rows, depth, packedA);
                    for (int jc = columnStart; jc < columnEnd; jc += columnBlock)
                    {
                        int columns = Math.Min(columnBlock, columnEnd - jc);
                        int panels = (columns + nr - 1) / nr;
                        byte* block = b.Pointer + (nint)pc * b.PaddedColumns * bytes + (nint)jc * packedRows * wordBytes;
                        WidenPanels<TVector>(block, depth, packedRows, panels, nr, widened);
                        for (int q = 0; q < panels; q++)
                        {
                            int j = jc + q * nr, tileColumns = Math.Min(nr, jc + columns - j);
                            float* panel = widened + (nint)q * nr * depth;
                            for (int ir = 0; ir < rows; ir += mr)
                            {
                                float* target = c + (nint)(ic + ir) * ldc + j;
                                int tileRows = Math.Min(mr, rows - ir);
                                TKernel.Run(depth, packedA + (nint)ir * depth, panel, target, ldc, tileRows, tileColumns, &store, j, tile);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Widens <paramref name="panels"/> bfloat16 panels of one depth block into float panels [depth × NR], unscaled:
        /// each packed row's words give its even depth (low halves) and, short of an odd depth's end, its odd one (high halves).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void WidenPanels<TVector>(byte* block, int depth, int packedRows, int panels, int nr, float* target)
            where TVector : struct, IWideningVector<TVector>
        {
            int w = TVector.Count;
            const int depthsPerWord = BFloat16FewRowsKernel<TVector>.DepthsPerWord;
            nint wordBytes = BFloat16FewRowsKernel<TVector>.WordBytes;
            for (int q = 0; q < panels; q++)
            {
                byte* source = block + (nint)q * nr * packedRows * wordBytes;
                float* panel = target + (nint)q * nr * depth;
                for (int r = 0; r < packedRows; r++, source += nr * wordBytes)
                {
                    for (int v = 0; v < nr; v += w)
                    {
                        TVector words = TVector.LoadWords((uint*)(source + v * wordBytes));
                        int p = r * depthsPerWord;
                        TVector.LowHalves(words).Store(new Span<float>(panel + (nint)p * nr + v, w), 0);
                        if (p + 1 < depth)
                            TVector.HighHalves(words).Store(new Span<float>(panel + (nint)(p + 1) * nr + v, w), 0);
                    }
                }
            }
        }
    }
}
