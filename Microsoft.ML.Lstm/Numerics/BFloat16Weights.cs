using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>bfloat16 weights (<see cref="WeightFormat.BFloat16"/>), two depths to a 32-bit word.</summary>
internal readonly unsafe struct BFloat16Weights : ICompressedWeights
{
    /// <inheritdoc/>
    public static int DepthsPerRow => 2;

    /// <inheritdoc/>
    public static int LaneBytes => sizeof(uint);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Widen<TVector>(byte* source, out TVector first, out TVector second) where TVector : struct, IWideningVector<TVector>
    {
        TVector words = TVector.LoadWords((uint*)source);
        first = TVector.LowHalves(words);
        second = TVector.HighHalves(words);
    }
}
