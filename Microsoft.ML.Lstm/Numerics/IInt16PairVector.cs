namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A vector of 32-bit integer sums, one per column, built from pairs of 16-bit integers: what the int8 kernel
/// (<see cref="Int8Kernel{TPairs, TFloat}"/>) is written against, once for every width. Each lane holds one column;
/// the 16-bit halves of a lane hold two consecutive depths (an activation pair, or a column's two weights).
/// </summary>
/// <typeparam name="TSelf">The implementing vector.</typeparam>
/// <typeparam name="TFloat">The float vector of the same lane count, that the sums are stored through.</typeparam>
internal unsafe interface IInt16PairVector<TSelf, TFloat>
    where TSelf : struct, IInt16PairVector<TSelf, TFloat>
    where TFloat : struct, IFloatVector<TFloat>
{
    /// <summary>Two int8 weights (depths p, p + 1) for each of Count columns, from 2·Count bytes, widened to 16 bits.</summary>
    static abstract TSelf LoadWeights(sbyte* source);

    /// <summary>One row's two 16-bit activations (depths p, p + 1) in every lane.</summary>
    static abstract TSelf Broadcast(short* pair);

    /// <summary>sums + x.low·w.low + x.high·w.high per lane, exactly (no lane's two products reach 2³¹).</summary>
    static abstract TSelf MultiplyAddPairs(TSelf sums, TSelf activations, TSelf weights);

    /// <summary>The sums as floats, each rounded to nearest (exact below 2²⁴), as a scalar (float) conversion rounds.</summary>
    static abstract TFloat ToFloats(TSelf sums);

    /// <summary>Writes the Count sums to <paramref name="target"/>.</summary>
    static abstract void Store(TSelf sums, int* target);
}
