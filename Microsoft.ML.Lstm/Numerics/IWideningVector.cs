namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A float vector that can be loaded from compressed weights, widening each to a float exactly: what the compressed
/// kernels (<see cref="CompressedFewRowsKernel{TVector, TFormat}"/>) read their panels through, so the weights stay
/// compressed in memory and in cache and are widened in registers.
/// </summary>
internal unsafe interface IWideningVector<TSelf> : IFloatVector<TSelf> where TSelf : struct, IWideningVector<TSelf>
{
    /// <summary>Count bfloat16 values from <paramref name="source"/>, each shifted into a float's upper half (exact).</summary>
    static abstract TSelf WidenBFloat16(ushort* source);

    /// <summary>Count int8 values from <paramref name="source"/>, each converted to the float of the same integer value (exact).</summary>
    static abstract TSelf WidenInt8(sbyte* source);
}
