using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// Eight columns' sums of 16-bit pairs on AVX2 (VPMOVSXBW, VPMADDWD, VPADDD; AVX-VNNI's VPDPWSSD where the CPU has it):
/// the int8 kernel's 256-bit width.
/// </summary>
/// <remarks>
/// Only run where <see cref="CompressedGemm.IsSupported"/> says the 256-bit width is (AVX2 and FMA). The VNNI form has not
/// run on the machines this was written on (Zen 3, no AVX-VNNI); it computes the same exact sums, so the same bits.
/// </remarks>
internal readonly unsafe struct Int16Pairs256(Vector256<int> value) : IInt16PairVector<Int16Pairs256, Float256>
{
    private readonly Vector256<int> value = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int16Pairs256 LoadWeights(sbyte* source) => new(Avx2.ConvertToVector256Int16(source).AsInt32());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int16Pairs256 Broadcast(short* pair) => new(Vector256.Create(*(int*)pair));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int16Pairs256 MultiplyAddPairs(Int16Pairs256 sums, Int16Pairs256 activations, Int16Pairs256 weights)
    {
        Vector256<short> x = activations.value.AsInt16(), w = weights.value.AsInt16();
        // AVX-VNNI's VPDPWSSD is VPMADDWD and VPADDD in one instruction; the sums are exact either way, so the same bits.
        if (AvxVnni.IsSupported)
            return new(AvxVnni.MultiplyWideningAndAdd(sums.value, x, w));
        return new(Avx2.Add(sums.value, Avx2.MultiplyAddAdjacent(x, w)));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 ToFloats(Int16Pairs256 sums) => new(Vector256.ConvertToSingle(sums.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Int16Pairs256 sums, int* target) => sums.value.Store(target);
}
