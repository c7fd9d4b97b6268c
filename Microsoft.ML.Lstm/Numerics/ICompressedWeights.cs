namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A storage format of compressed weights as the kernels see it: how a packed panel row is laid out and the widening
/// load. The formats are structs so the kernels, generic over them, are compiled once per format with the load inlined.
/// </summary>
/// <remarks>
/// A packed row holds <see cref="DepthsPerRow"/> consecutive depths of the panel's NR columns, <see cref="LaneBytes"/>
/// bytes per column: bfloat16 pairs two depths in one 32-bit word (depth p in the low half, p + 1 in the high half),
/// so that one load and one shift or mask widen each vector; int8 holds one depth per row, a byte per column.
/// </remarks>
internal unsafe interface ICompressedWeights
{
    /// <summary>Depths one packed row holds (2 for bfloat16, 1 for int8).</summary>
    static abstract int DepthsPerRow { get; }

    /// <summary>Bytes per column of a packed row (4 for bfloat16 pairs, 1 for int8).</summary>
    static abstract int LaneBytes { get; }

    /// <summary>
    /// TVector.Count columns of a packed row from <paramref name="source"/>, widened: <paramref name="first"/> at the row's
    /// first depth and, for a two-depth row, <paramref name="second"/> at its second (zero past the last depth).
    /// </summary>
    static abstract void Widen<TVector>(byte* source, out TVector first, out TVector second) where TVector : struct, IWideningVector<TVector>;
}
