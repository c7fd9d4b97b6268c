using System.Runtime.InteropServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The GEMM's blocking and threading for one processor (<see cref="GemmDriver{TKernel}"/>): chosen once per process
/// from the CPU's caches and vector registers (<see cref="Current"/>), or given explicitly (tests, benchmarks).
/// </summary>
/// <remarks>
/// None of these sizes changes the order in which an element of C is summed: each element is one FMA chain over a
/// depth block of KC = <see cref="GemmDriver{TKernel}.DepthBlock"/> (not tuned, since it is what fixes the order),
/// folded into C block after block, whichever tile, panel, block or thread computes it. So every tuning gives the
/// same bits for the same operands, and a model the same bits for the same seed and thread count on any processor
/// that runs the same micro-kernel.
/// </remarks>
/// <param name="RowBlock">MC: rows of op(A) packed at once, rounded down to whole micro-kernel rows (MR); sized so
/// that the packed MC × KC block stays in L2 beside the B panels streaming through.</param>
/// <param name="ColumnBlock">NC: columns of op(B) packed at once, rounded down to whole panels (NR); the packed
/// KC × NC block is re-read for every MC rows, so it should stay in the core's share of L3.</param>
/// <param name="OneRowPanels">How many B panels one row of A runs against at once in the few-rows kernel (8, 4 or 1):
/// eight take sixteen vector accumulators, which fit in 32 registers (AVX-512, ARM64) but not in AVX2's 16.</param>
/// <param name="MinimumWorkPerThread">Multiply-adds (m·n·k) each thread must get before a product is split: handing
/// part of a product to another thread costs microseconds even with the worker awake (<see cref="ParallelParts"/>).</param>
internal readonly record struct GemmTuning(int RowBlock, int ColumnBlock, int OneRowPanels, long MinimumWorkPerThread)
{
    /// <summary>The tuning for this process's CPU and the micro-kernel <see cref="Gemm"/> picked for it, chosen once.</summary>
    public static GemmTuning Current { get; } = For(CpuDescription.Current, Gemm.BestKernel, RuntimeInformation.ProcessArchitecture);

    /// <summary>
    /// The constants the engine used before it was tuned per processor, chosen on a Zen 5 with AVX-512:
    /// MC = 16 tiles of rows, NC = 128 panels, eight panels per row, 2²¹ multiply-adds per thread.
    /// </summary>
    public static GemmTuning Fixed(GemmKernel kernel)
    {
        (int rows, int columns) = TileOf(kernel);
        return new GemmTuning(rows * 16, columns * 128, 8, 1L << 21);
    }

    /// <summary>
    /// The tuning for a processor described by <paramref name="cpu"/> running <paramref name="kernel"/>; caches the
    /// OS did not report (0) fall back to sizes every x86-64 and ARM64 server core of the last decade exceeds.
    /// </summary>
    public static GemmTuning For(CpuDescription cpu, GemmKernel kernel, Architecture architecture)
    {
        const long depthBytes = GemmDriver<Avx2MicroKernel>.DepthBlock * sizeof(float);
        (int mr, int nr) = TileOf(kernel);
        long l2 = cpu.L2BytesOrAssumed;
        long l3 = cpu.L3Bytes > 0 ? cpu.L3Bytes : 1024 * 1024;
        // A's block takes a third of L2 (BLIS's choice on Haswell and Zen: 168 rows of 256 floats in 512 KiB);
        // B's block half of the core's L3, at most 4096 columns (wider only costs scratch memory).
        int rowBlock = (int)Math.Clamp(l2 / 3 / depthBytes / mr * mr, 4 * mr, 64 * mr);
        int columnBlock = (int)Math.Clamp(l3 / 2 / depthBytes / nr * nr, 16 * nr, 4096 / nr * nr);
        bool manyRegisters = kernel == GemmKernel.Avx512 || architecture == Architecture.Arm64;
        return new GemmTuning(rowBlock, columnBlock, manyRegisters ? 8 : 4, 1L << 21);
    }

    /// <summary>Checks that every size is usable: positive, and a panel count the few-rows kernel has.</summary>
    public void Validate()
    {
        if (RowBlock < 1 || ColumnBlock < 1 || MinimumWorkPerThread < 1 || OneRowPanels is not (1 or 4 or 8))
            throw new ArgumentOutOfRangeException(nameof(GemmTuning), this, "Blocks and work per thread must be positive, and one row runs 1, 4 or 8 panels.");
    }

    /// <summary>One line for logs and benchmark headers.</summary>
    public override string ToString() =>
        $"MC {RowBlock}, NC {ColumnBlock}, {OneRowPanels} panels per row, {MinimumWorkPerThread} multiply-adds per thread";

    private static (int Rows, int Columns) TileOf(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Avx512 => (Avx512MicroKernel.Rows, Avx512MicroKernel.Columns),
        GemmKernel.Avx2 => (Avx2MicroKernel.Rows, Avx2MicroKernel.Columns),
        _ => (Vector128MicroKernel.Rows, Vector128MicroKernel.Columns),
    };
}
