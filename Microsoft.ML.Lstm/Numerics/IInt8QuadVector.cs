namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A vector of 32-bit integer sums, one per column, built from quads of 8-bit integers: what the int8 kernel
/// (<see cref="Int8Kernel{TQuads, TFloat}"/>) is written against, once for every width. Each lane holds one column; the
/// four bytes of a lane hold four consecutive depths (an activation quad of <see cref="Int8Rows"/>' unsigned bytes in
/// [1, 127], or a column's four int8 weights).
/// </summary>
/// <typeparam name="TSelf">The implementing vector.</typeparam>
/// <typeparam name="TFloat">The float vector of the same lane count, that the sums are stored through.</typeparam>
internal unsafe interface IInt8QuadVector<TSelf, TFloat>
    where TSelf : struct, IInt8QuadVector<TSelf, TFloat>
    where TFloat : struct, IFloatVector<TFloat>
{
    /// <summary>Four int8 weights (depths p to p + 3) for each of Count columns, from 4·Count bytes.</summary>
    static abstract TSelf LoadWeights(sbyte* source);

    /// <summary>One row's four activation bytes (depths p to p + 3) in every lane.</summary>
    static abstract TSelf Broadcast(byte* quad);

    /// <summary>
    /// sums + Σ of the four products x·w per lane, exactly: x in [0, 127] and w in [−128, 127] keep each pair of
    /// products inside 16 bits and the four below 2¹⁷.
    /// </summary>
    static abstract TSelf MultiplyAddQuads(TSelf sums, TSelf activations, TSelf weights);

    /// <summary>Count sums from <paramref name="source"/>.</summary>
    static abstract TSelf Load(int* source);

    /// <summary>The sums as floats, each rounded to nearest (exact below 2²⁴), as a scalar (float) conversion rounds.</summary>
    static abstract TFloat ToFloats(TSelf sums);

    /// <summary>Writes the Count sums to <paramref name="target"/>.</summary>
    static abstract void Store(TSelf sums, int* target);
}
