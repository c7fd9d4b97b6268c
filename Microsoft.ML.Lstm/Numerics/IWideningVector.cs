namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A float vector that can be loaded from bfloat16 weights, widening each to a float exactly: what the bfloat16 products
/// read their packed words through (<see cref="BFloat16FewRowsKernel{TVector}"/>, and <see cref="CompressedGemm"/>'s
/// tiled path as it widens panels for the float micro-kernel), so the weights stay compressed in memory and in cache and
/// are widened in registers. A packed word holds two depths: the even one in its low half, the odd one in its high half.
/// </summary>
internal unsafe interface IWideningVector<TSelf> : IFloatVector<TSelf> where TSelf : struct, IWideningVector<TSelf>
{
    /// <summary>Count 32-bit words from <paramref name="source"/>, as they are (each word holds two bfloat16 weights).</summary>
    static abstract TSelf LoadWords(uint* source);

    /// <summary>Each word's low 16 bits moved to its upper half: the float of the bfloat16 stored there (exact).</summary>
    static abstract TSelf LowHalves(TSelf words);

    /// <summary>Each word with its low 16 bits cleared: the float of the bfloat16 in its upper half (exact).</summary>
    static abstract TSelf HighHalves(TSelf words);
}
