using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>int8 weights (<see cref="WeightFormat.Int8"/>), a byte per column and depth; their scales are applied when C is stored.</summary>
internal readonly unsafe struct Int8Weights : ICompressedWeights
{
    /// <inheritdoc/>
    public static int DepthsPerRow => 1;

    /// <inheritdoc/>
    public static int LaneBytes => sizeof(sbyte);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Widen<TVector>(byte* source, out TVector first, out TVector second) where TVector : struct, IWideningVector<TVector>
    {
        first = TVector.WidenInt8((sbyte*)source);
        second = default;
    }
}
