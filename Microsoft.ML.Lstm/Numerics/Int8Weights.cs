using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>int8 weights (<see cref="WeightFormat.Int8"/>); their per-row scales are applied when C is stored.</summary>
internal readonly unsafe struct Int8Weights : ICompressedWeights
{
    /// <inheritdoc/>
    public static int BytesPerWeight => sizeof(sbyte);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector>(byte* source) where TVector : struct, IWideningVector<TVector> => TVector.WidenInt8((sbyte*)source);
}
