namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A storage format of compressed weights as the widening kernels see it: how a packed panel row is laid out and the
/// widening load. The formats are structs so the kernels, generic over them, are compiled once per format with the load
/// inlined. bfloat16 is the one format widened to floats; int8 is multiplied as integers (<see cref="Int8Kernel{TPairs, TFloat}"/>).
/// </summary>
/// <remarks>
/// A packed row holds <see cref="DepthsPerRow"/> consecutive depths of the panel's NR columns, <see cref="LaneBytes"/>
/// bytes per column: bfloat16 pairs two depths in one 32-bit word (depth p in the low half, p + 1 in the high half),
/// so that one load and one shift or mask widen each vector.
/// </remarks>
internal unsafe interface ICompressedWeights
{
    /// <summary>Depths one packed row holds (2 for bfloat16).</summary>
    static abstract int DepthsPerRow { get; }

    /// <summary>Bytes per column of a packed row (4 for bfloat16 pairs).</summary>
    static abstract int LaneBytes { get; }

    /// <summary>
    /// TVector.Count columns of a packed row from <paramref name="source"/>, widened: <paramref name="first"/> at the row's
    /// first depth and, for a two-depth row, <paramref name="second"/> at its second (zero past the last depth).
    /// </summary>
    static abstract void Widen<TVector>(byte* source, out TVector first, out TVector second) where TVector : struct, IWideningVector<TVector>;
}
