namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A compressed right-hand operand op(B) = Wᵀ [k × n] of a GEMM, packed once (by <see cref="CompressedGemm.Pack(QuantizedMatrix)"/>)
/// into the panel layout of <see cref="PackedMatrix"/>, with each weight in its <see cref="WeightFormat"/>: 2 or 1
/// bytes where a <see cref="PackedMatrix"/> holds 4. The kernels read them so (bfloat16 widened in registers, int8
/// multiplied as integers), so they stay compressed in memory and in cache. Immutable once packed: the networks that
/// score with it share one copy.
/// </summary>
/// <remarks>
/// Layout, as <see cref="PackedMatrix"/>'s in weights rather than floats: k is cut into blocks of
/// <see cref="CompressedGemm.DepthBlock"/> rows; block q starts at weight q·DepthBlock·PaddedColumns and holds ⌈n/NR⌉
/// panels, panel p at p·NR·depth(q) (depth(q) rounded up to whole packed rows), columns past n zero. A bfloat16 panel
/// pairs depths: [⌈depth(q)/2⌉ × NR] 32-bit words, word (r, j) holding depth 2r in its low half and depth 2r + 1 in its
/// high half, so that a shift and a mask widen a loaded vector into both. An int8 panel groups four: [⌈depth(q)/4⌉ × NR]
/// byte quads, quad (r, j) holding depths 4r to 4r + 3, the layout VPMADDUBSW multiplies
/// (<see cref="Int8Kernel{TQuads, TFloat}"/>). <see cref="Scales"/> holds the scale of each column of op(B) (W's row
/// scales for int8, 1 for bfloat16), 0 past n; for int8, <see cref="Offsets"/> holds each block's starting sums.
/// </remarks>
internal sealed class CompressedPackedMatrix
{
    private readonly float[] storage;
    private readonly float[] scales;
    private readonly int[]? offsets;

    /// <summary>Allocates an empty packing of op(B) [<paramref name="depth"/> × <paramref name="columns"/>].</summary>
    internal CompressedPackedMatrix(WeightFormat format, int depth, int columns, int panelWidth)
    {
        Format = format;
        Depth = depth;
        Columns = columns;
        PanelWidth = panelWidth;
        PaddedColumns = (columns + panelWidth - 1) / panelWidth * panelWidth;
        BytesPerWeight = format == WeightFormat.BFloat16 ? 2 : 1;
        // A packed row holds two depths (a bfloat16 word) or four (an int8 quad): the last row's unused depths are zero.
        DepthsPerRow = format == WeightFormat.BFloat16 ? 2 : 4;
        PaddedDepth = (depth + DepthsPerRow - 1) / DepthsPerRow * DepthsPerRow;
        long bytes = (long)PaddedDepth * PaddedColumns * BytesPerWeight;
        storage = GemmScratch.AllocateAligned(checked((int)((bytes + sizeof(float) - 1) / sizeof(float))));
        scales = GemmScratch.AllocateAligned(PaddedColumns);
        if (format == WeightFormat.Int8)
            offsets = new int[checked(Blocks * PaddedColumns)];
    }

    /// <summary>How each weight is stored.</summary>
    public WeightFormat Format { get; }

    /// <summary>k: rows of op(B), the inner dimension of the product.</summary>
    public int Depth { get; }

    /// <summary>n: columns of op(B) and of C.</summary>
    public int Columns { get; }

    /// <summary>NR of the kernel it was packed for: two vectors of <see cref="Float256"/> (16) or <see cref="Float128"/> (8).</summary>
    public int PanelWidth { get; }

    /// <summary>n rounded up to a whole number of panels.</summary>
    public int PaddedColumns { get; }

    /// <summary>Depths in one packed row: 2 for bfloat16 (a word), 4 for int8 (a quad).</summary>
    public int DepthsPerRow { get; }

    /// <summary>k rounded up to whole packed rows.</summary>
    public int PaddedDepth { get; }

    /// <summary>Depth blocks of <see cref="CompressedGemm.DepthBlock"/> (at least one).</summary>
    public int Blocks => Math.Max(1, (Depth + CompressedGemm.DepthBlock - 1) / CompressedGemm.DepthBlock);

    /// <summary>2 for bfloat16, 1 for int8.</summary>
    public int BytesPerWeight { get; }

    /// <summary>Bytes the packed weights and scales take in memory.</summary>
    public long ByteCount => (long)PaddedDepth * PaddedColumns * BytesPerWeight + PaddedColumns * sizeof(float) + (offsets?.Length ?? 0) * sizeof(int);

    /// <summary>
    /// int8: where each column's sum starts in each depth block, −<see cref="Int8Rows.Offset"/>·Σ w over the block's depths
    /// ([Blocks × PaddedColumns], 0 past n), which takes the activation bytes' offset back out; null for bfloat16.
    /// </summary>
    internal int[]? Offsets => offsets;

    /// <summary>The 64-byte aligned start of the packed weights.</summary>
    internal unsafe byte* Pointer => (byte*)GemmScratch.Align(storage);

    /// <summary>The 64-byte aligned start of the column scales [PaddedColumns].</summary>
    internal unsafe float* Scales => GemmScratch.Align(scales);
}
