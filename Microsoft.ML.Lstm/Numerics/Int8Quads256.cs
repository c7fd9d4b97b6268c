using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// Eight columns' sums of 8-bit quads on AVX2 (VPMADDUBSW, VPMADDWD by ones, VPADDD; AVX-VNNI's VPDPBUSD where the CPU
/// has it): the int8 kernel's 256-bit width.
/// </summary>
/// <remarks>
/// Only run where <see cref="CompressedGemm.IsSupported"/> says the 256-bit width is (AVX2 and FMA). The VNNI form computes
/// the same exact sums, so the same bits (tested on a Zen 5, which has AVX-VNNI; the Zen 3 it was written on has not).
/// </remarks>
internal readonly unsafe struct Int8Quads256(Vector256<int> value) : IInt8QuadVector<Int8Quads256, Float256>
{
    private readonly Vector256<int> value = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Quads256 LoadWeights(sbyte* source) => new(Avx.LoadVector256(source).AsInt32());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Quads256 Broadcast(byte* quad) => new(Vector256.Create(*(int*)quad));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Quads256 MultiplyAddQuads(Int8Quads256 sums, Int8Quads256 activations, Int8Quads256 weights)
    {
        Vector256<byte> x = activations.value.AsByte();
        Vector256<sbyte> w = weights.value.AsSByte();
        // AVX-VNNI's VPDPBUSD is the three instructions in one; the sums are exact either way, so the same bits.
        if (AvxVnni.IsSupported)
            return new(AvxVnni.MultiplyWideningAndAdd(sums.value, x, w));
        Vector256<short> pairs = Avx2.MultiplyAddAdjacent(x, w);
        return new(Avx2.Add(sums.value, Avx2.MultiplyAddAdjacent(pairs, Vector256.Create((short)1))));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Quads256 Load(int* source) => new(Vector256.Load(source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 ToFloats(Int8Quads256 sums) => new(Vector256.ConvertToSingle(sums.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Int8Quads256 sums, int* target) => sums.value.Store(target);
}
