using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// C[m×n] = alpha · A[m×k] · op(B) + beta · C with op(B) compressed (<see cref="CompressedPackedMatrix"/>): bfloat16
/// weights, or int8 weights with a scale per column of op(B). The weights are widened to floats inside the kernel
/// (<see cref="CompressedFewRowsKernel{TVector, TFormat}"/>), so a product streams 2 or 1 bytes per weight from cache
/// where the float GEMM streams 4; this is what makes one-row scoring, which reads every recurrent weight at every
/// step, faster.
/// </summary>
/// <remarks>
/// <para>
/// Vector widths: 256-bit (AVX2 + FMA; also what an AVX-512 machine runs) and 128-bit (SSE, or NEON on ARM64). The
/// AVX512_BF16 dot products (VDPBF16PS) and the VNNI int8 ones (VPDPBUSD) are not used: neither could be tested on the
/// machines this was written on, and both sum pairs or quads of products in one rounding, which would break the
/// guarantee below.
/// </para>
/// <para>
/// k is cut into <see cref="DepthBlock"/> blocks as the float GEMM cuts it. Up to four rows of C run the few-rows kernel,
/// which widens as it loads; more rows widen each block of B once into float panels and run the float micro-kernel on
/// them. Either way every element of C is one FMA chain per depth block, stored with its column's multiplier, whatever
/// the rows, the path and the threads: results are bit-identical for 1 row or many, 1 thread or many, which keeps a step-at-a-time run equal to
/// a whole-sequence run. For bfloat16 they are also the float GEMM's on the widened weights, bit for bit.
/// </para>
/// </remarks>
internal static unsafe class CompressedGemm
{
    /// <summary>KC: the depth block, the float GEMM's (<see cref="GemmDriver{TKernel}.DepthBlock"/>).</summary>
    public const int DepthBlock = GemmDriver<Vector128MicroKernel>.DepthBlock;

    /// <summary>Panels of B the tiled path (more than four rows of C) widens at once: 8·NR columns × KC depths of floats, 128 KB at 256 bits.</summary>
    private const int TiledPanels = 8;

    /// <summary>The vector width this CPU runs compressed products at: <see cref="GemmKernel.Avx2"/> (256-bit) or <see cref="GemmKernel.Vector128"/>.</summary>
    internal static GemmKernel BestKernel { get; } = Avx2.IsSupported && Fma.IsSupported ? GemmKernel.Avx2 : GemmKernel.Vector128;

    /// <summary>Whether this CPU can run compressed products at the width of <paramref name="kernel"/> (the 512-bit one has no compressed kernel).</summary>
    internal static bool IsSupported(GemmKernel kernel) => kernel != GemmKernel.Avx512 && Gemm.IsSupported(kernel);

    /// <summary>Packs op(B) = Wᵀ, W being <paramref name="weights"/> [n × k], for this CPU's width.</summary>
    public static CompressedPackedMatrix Pack(QuantizedMatrix weights) => Pack(BestKernel, weights);

    /// <summary>Packs op(B) = Wᵀ for the width of <paramref name="kernel"/> (<see cref="GemmKernel.Avx2"/> or <see cref="GemmKernel.Vector128"/>).</summary>
    internal static CompressedPackedMatrix Pack(GemmKernel kernel, QuantizedMatrix weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        CheckKernel(kernel);
        int nr = Gemm.PanelWidthOf(kernel);
        int depth = weights.Columns, columns = weights.Rows;
        var packed = new CompressedPackedMatrix(weights.Format, depth, columns, nr);
        int bytes = packed.BytesPerWeight;
        byte* target = packed.Pointer;
        new Span<byte>(target, checked(packed.PaddedDepth * packed.PaddedColumns * bytes)).Clear();
        for (int pc = 0; pc < depth; pc += DepthBlock)
        {
            int blockDepth = Math.Min(DepthBlock, depth - pc);
            byte* block = target + (nint)pc * packed.PaddedColumns * bytes;
            for (int j = 0; j < columns; j++)
            {
                // Column j of op(B) is row j of W; it sits in panel j / NR at lane j % NR.
                if (bytes == 2)
                {
                    // Words of two depths: depth p at row p / 2, low half for even p.
                    int rows = (blockDepth + 1) / 2;
                    ushort* lane = (ushort*)(block + ((nint)(j / nr) * nr * rows + j % nr) * sizeof(uint));
                    for (int p = 0; p < blockDepth; p++)
                        lane[(nint)(p / 2) * nr * 2 + p % 2] = weights.BFloat16Values![j * depth + pc + p];
                }
                else
                {
                    sbyte* lane = (sbyte*)block + (nint)(j / nr) * nr * blockDepth + j % nr;
                    for (int p = 0; p < blockDepth; p++)
                        lane[(nint)p * nr] = weights.Int8Values![j * depth + pc + p];
                }
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
    public static void Multiply(int m, float alpha, ReadOnlySpan<float> a, int lda, CompressedPackedMatrix b, float beta, Span<float> c, int ldc, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        Gemm.CheckOperand("A", m, b.Depth, a.Length, lda);
        Gemm.CheckOperand("C", m, b.Columns, c.Length, ldc);
        if (m == 0 || b.Columns == 0)
            return;
        fixed (float* aPointer = a)
        fixed (float* cPointer = c)
        {
            var problem = new Problem(m, alpha, aPointer, lda, b, beta, cPointer, ldc);
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

    private static void CheckKernel(GemmKernel kernel)
    {
        if (!IsSupported(kernel))
            throw new PlatformNotSupportedException($"This CPU has no compressed kernel at the width of the {kernel} GEMM kernel.");
    }

    /// <summary>One multiply's operands, passed by value to each thread.</summary>
    private readonly struct Problem(int m, float alpha, float* a, nint lda, CompressedPackedMatrix b, float beta, float* c, nint ldc)
    {
        public CompressedPackedMatrix B => b;

        /// <summary>Computes columns [columnStart, columnEnd) of every row of C; columnStart is a multiple of NR.</summary>
        public void Run(int columnStart, int columnEnd)
        {
            if (b.PanelWidth == Gemm.PanelWidthOf(GemmKernel.Avx2))
            {
                if (b.Format == WeightFormat.BFloat16)
                    RunWith<Float256, BFloat16Weights, Avx2MicroKernel>(columnStart, columnEnd);
                else
                    RunWith<Float256, Int8Weights, Avx2MicroKernel>(columnStart, columnEnd);
            }
            else if (b.Format == WeightFormat.BFloat16)
                RunWith<Float128, BFloat16Weights, Vector128MicroKernel>(columnStart, columnEnd);
            else
                RunWith<Float128, Int8Weights, Vector128MicroKernel>(columnStart, columnEnd);
        }

        private void RunWith<TVector, TFormat, TKernel>(int columnStart, int columnEnd)
            where TVector : struct, IWideningVector<TVector>
            where TFormat : struct, ICompressedWeights
            where TKernel : struct, IGemmMicroKernel
        {
            if (m > CompressedFewRowsKernel<TVector, TFormat>.MaxRows)
                RunTiled<TVector, TFormat, TKernel>(columnStart, columnEnd);
            else
                RunFewRows<TVector, TFormat>(columnStart, columnEnd);
        }

        /// <summary>At most four rows: the few-rows kernel on the compressed panels, widening as it goes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunFewRows<TVector, TFormat>(int columnStart, int columnEnd)
            where TVector : struct, IWideningVector<TVector>
            where TFormat : struct, ICompressedWeights
        {
            int nr = b.PanelWidth, bytes = b.BytesPerWeight, k = b.Depth, columns = columnEnd - columnStart;
            int depthsPerRow = TFormat.DepthsPerRow, laneBytes = TFormat.LaneBytes;
            float* scales = b.Scales + columnStart;
            int oneRowPanels = GemmTuning.Current.OneRowPanels;
            for (int pc = 0; pc < k; pc += DepthBlock)
            {
                int depth = Math.Min(DepthBlock, k - pc);
                // The first depth block applies beta; later ones add onto what it wrote.
                bool first = pc == 0;
                float blockBeta = first ? beta : 1f;
                bool overwrite = first && beta == 0f;
                int packedRows = (depth + depthsPerRow - 1) / depthsPerRow;
                // Earlier blocks are whole (even) depths, so a block starts at pc weights per padded column.
                byte* block = b.Pointer + (nint)pc * b.PaddedColumns * bytes + (nint)columnStart * packedRows * laneBytes;
                for (int i = 0; i < m; i += CompressedFewRowsKernel<TVector, TFormat>.MaxRows)
                {
                    int rows = Math.Min(CompressedFewRowsKernel<TVector, TFormat>.MaxRows, m - i);
                    CompressedFewRowsKernel<TVector, TFormat>.Run(
                        oneRowPanels, rows, depth, a + i * lda + pc, lda, 1, block, (nint)nr * packedRows * laneBytes, (nint)nr * laneBytes, scales, columns,
                        c + i * ldc + columnStart, ldc, alpha, blockBeta, overwrite);
                }
            }
        }

        /// <summary>
        /// More rows: each depth block of B is widened once into float panels (unscaled, exact) and A packed, and the
        /// float micro-kernel computes each MR × NR tile's chains into a spill tile, which is stored with the columns'
        /// multipliers as the few-rows kernel stores its accumulators: the same bits, the widening paid once for all rows.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunTiled<TVector, TFormat, TKernel>(int columnStart, int columnEnd)
            where TVector : struct, IWideningVector<TVector>
            where TFormat : struct, ICompressedWeights
            where TKernel : struct, IGemmMicroKernel
        {
            int nr = b.PanelWidth, mr = TKernel.Rows, bytes = b.BytesPerWeight, k = b.Depth;
            int depthsPerRow = TFormat.DepthsPerRow, laneBytes = TFormat.LaneBytes;
            int rowBlock = mr * 16, columnBlock = nr * TiledPanels;
            float* packedA = GemmScratch.ForA(rowBlock * DepthBlock);
            float* widened = GemmScratch.ForB(columnBlock * DepthBlock);
            float* tile = stackalloc float[mr * nr];
            for (int pc = 0; pc < k; pc += DepthBlock)
            {
                int depth = Math.Min(DepthBlock, k - pc);
                int packedRows = (depth + depthsPerRow - 1) / depthsPerRow;
                bool first = pc == 0;
                float blockBeta = first ? beta : 1f;
                bool overwrite = first && beta == 0f;
                for (int ic = 0; ic < m; ic += rowBlock)
                {
                    // A block packed once, B widened once per block of columns (once in all for up to MR·16 rows).
                    int rows = Math.Min(rowBlock, m - ic);
                    GemmDriver<TKernel>.PackA(false, a, lda, ic, pc, rows, depth, packedA);
                    for (int jc = columnStart; jc < columnEnd; jc += columnBlock)
                    {
                        int columns = Math.Min(columnBlock, columnEnd - jc);
                        int panels = (columns + nr - 1) / nr;
                        byte* block = b.Pointer + (nint)pc * b.PaddedColumns * bytes + (nint)jc * packedRows * laneBytes;
                        WidenPanels<TVector, TFormat>(block, depth, packedRows, panels, nr, widened);
                        for (int q = 0; q < panels; q++)
                        {
                            int j = jc + q * nr, tileColumns = Math.Min(nr, jc + columns - j);
                            float* panel = widened + (nint)q * nr * depth;
                            for (int ir = 0; ir < rows; ir += mr)
                            {
                                float* target = c + (nint)(ic + ir) * ldc + j;
                                int tileRows = Math.Min(mr, rows - ir);
                                if (TFormat.DepthsPerRow == 2)
                                {
                                    // bfloat16's scales are 1, so the multipliers are alpha: the kernel's own store is the same.
                                    TKernel.Run(depth, packedA + (nint)ir * depth, panel, target, ldc, tileRows, tileColumns, alpha, blockBeta, overwrite);
                                    continue;
                                }
                                // alpha 1 and overwrite: the tile holds each chain's sum as it is.
                                TKernel.Run(depth, packedA + (nint)ir * depth, panel, tile, nr, mr, nr, 1f, 0f, overwrite: true);
                                StoreTile<TVector>(tile, target, tileRows, tileColumns, b.Scales + j, blockBeta, overwrite);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>Widens <paramref name="panels"/> compressed panels of one depth block into float panels [depth × NR], unscaled.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void WidenPanels<TVector, TFormat>(byte* block, int depth, int packedRows, int panels, int nr, float* target)
            where TVector : struct, IWideningVector<TVector>
            where TFormat : struct, ICompressedWeights
        {
            int w = TVector.Count, d = TFormat.DepthsPerRow;
            nint laneBytes = TFormat.LaneBytes;
            for (int q = 0; q < panels; q++)
            {
                byte* source = block + (nint)q * nr * packedRows * laneBytes;
                float* panel = target + (nint)q * nr * depth;
                for (int r = 0; r < packedRows; r++, source += nr * laneBytes)
                {
                    for (int v = 0; v < nr; v += w)
                    {
                        TFormat.Widen(source + v * laneBytes, out TVector firstDepth, out TVector secondDepth);
                        int p = r * d;
                        firstDepth.Store(new Span<float>(panel + (nint)p * nr + v, w), 0);
                        if (d == 2 && p + 1 < depth)
                            secondDepth.Store(new Span<float>(panel + (nint)(p + 1) * nr + v, w), 0);
                    }
                }
            }
        }

        /// <summary>
        /// Stores a tile of sums [rows × columns] (row stride NR) into C with the columns' multipliers m = alpha·scale:
        /// m·sum, or fma(m, sum, beta·C), lane-wise as the few-rows kernel does, in scalar at a clipped edge.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void StoreTile<TVector>(float* tile, float* target, int rows, int columns, float* scales, float blockBeta, bool overwrite)
            where TVector : struct, IWideningVector<TVector>
        {
            int nr = b.PanelWidth;
            if (columns == nr)
            {
                TVector alphas = TVector.Create(alpha), betas = TVector.Create(blockBeta);
                TVector low = alphas * LoadFloats<TVector>(scales), high = alphas * LoadFloats<TVector>(scales + TVector.Count);
                for (int r = 0; r < rows; r++)
                {
                    StoreLanes(tile + r * nr, target + r * ldc, low, betas, overwrite);
                    StoreLanes(tile + r * nr + TVector.Count, target + r * ldc + TVector.Count, high, betas, overwrite);
                }
                return;
            }
            for (int r = 0; r < rows; r++)
            {
                float* sums = tile + r * nr, row = target + r * ldc;
                for (int j = 0; j < columns; j++)
                {
                    float multiplier = alpha * scales[j];
                    row[j] = overwrite ? multiplier * sums[j] : MultiplyAdd.Scalar(multiplier, sums[j], blockBeta * row[j]);
                }
            }
        }

        /// <summary>One vector of a tile row into C: m·sum, or fma(m, sum, beta·C).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreLanes<TVector>(float* sums, float* target, TVector multipliers, TVector betas, bool overwrite)
            where TVector : struct, IWideningVector<TVector>
        {
            var destination = new Span<float>(target, TVector.Count);
            TVector sum = LoadFloats<TVector>(sums);
            TVector result = overwrite ? multipliers * sum : TVector.FusedMultiplyAdd(multipliers, sum, betas * TVector.Load(destination, 0));
            result.Store(destination, 0);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector LoadFloats<TVector>(float* source) where TVector : struct, IWideningVector<TVector> =>
            TVector.Load(new ReadOnlySpan<float>(source, TVector.Count), 0);
    }
}
