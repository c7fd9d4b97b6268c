using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>bfloat16 weights (<see cref="WeightFormat.BFloat16"/>).</summary>
internal readonly unsafe struct BFloat16Weights : ICompressedWeights
{
    /// <inheritdoc/>
    public static int BytesPerWeight => sizeof(ushort);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector>(byte* source) where TVector : struct, IWideningVector<TVector> => TVector.WidenBFloat16((ushort*)source);
}
