namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The right-hand operand B [k × n] of a GEMM, packed once into the micro-kernel's panel layout so that it can
/// be multiplied many times without repacking (the recurrent weights U are multiplied at every time step).
/// Made by <see cref="Gemm.Pack(bool, int, int, ReadOnlySpan{float}, int)"/>, refreshed in place by <see cref="Gemm.PackInto"/>, consumed by
/// <see cref="Gemm.Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int, int)"/>.
/// </summary>
/// <remarks>
/// Layout: k is cut into blocks of <see cref="GemmDriver{TKernel}.DepthBlock"/> rows; block q starts at
/// q·DepthBlock·PaddedColumns and holds ⌈n/NR⌉ panels, panel p at offset p·NR·depth(q), each stored row by row
/// [depth(q) × NR], columns past n zero. That is exactly what the driver packs B into on the fly, so both paths
/// run the same kernel calls in the same order and give bit-identical results.
/// </remarks>
internal sealed class PackedMatrix
{
    private readonly float[] storage;

    /// <summary>Allocates an empty packing for a B of <paramref name="depth"/> rows (k) and <paramref name="columns"/> columns (n).</summary>
    public PackedMatrix(int depth, int columns, int panelWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Depth = depth;
        Columns = columns;
        PanelWidth = panelWidth;
        PaddedColumns = (columns + panelWidth - 1) / panelWidth * panelWidth;
        storage = GemmScratch.AllocateAligned(checked(depth * PaddedColumns));
    }

    /// <summary>k: rows of B, the inner dimension of the product.</summary>
    public int Depth { get; }

    /// <summary>n: columns of B and of C.</summary>
    public int Columns { get; }

    /// <summary>NR of the micro-kernel that packed it.</summary>
    public int PanelWidth { get; }

    /// <summary>n rounded up to a whole number of panels.</summary>
    public int PaddedColumns { get; }

    /// <summary>The 64-byte aligned start of the packed data.</summary>
    internal unsafe float* Pointer => GemmScratch.Align(storage);
}
