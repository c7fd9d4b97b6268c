using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// Four columns' sums of 8-bit quads at 128 bits: SSSE3's PMADDUBSW and SSE2's PMADDWD by ones on x86 (AVX-VNNI's
/// VPDPBUSD where present, untested here as at 256 bits), SDOT on ARM64 with the dot-product extension, widening
/// multiplies and pairwise adds without it; the int8 kernel's narrow width. All give the same exact sums.
/// </summary>
internal readonly unsafe struct Int8Quads128(Vector128<int> value) : IInt8QuadVector<Int8Quads128, Float128>
{
    private readonly Vector128<int> value = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Quads128 LoadWeights(sbyte* source) => new(Vector128.Load(source).AsInt32());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Quads128 Broadcast(byte* quad) => new(Vector128.Create(*(int*)quad));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Quads128 MultiplyAddQuads(Int8Quads128 sums, Int8Quads128 activations, Int8Quads128 weights)
    {
        Vector128<sbyte> w = weights.value.AsSByte();
        if (AvxVnni.IsSupported)
            return new(AvxVnni.MultiplyWideningAndAdd(sums.value, activations.value.AsByte(), w));
        if (Ssse3.IsSupported)
        {
            Vector128<short> pairs = Ssse3.MultiplyAddAdjacent(activations.value.AsByte(), w);
            return new(Sse2.Add(sums.value, Sse2.MultiplyAddAdjacent(pairs, Vector128.Create((short)1))));
        }
        // The activations are at most 127, so they are signed bytes as well.
        Vector128<sbyte> x = activations.value.AsSByte();
        if (Dp.IsSupported)
            return new(Dp.DotProduct(sums.value, x, w));
        if (AdvSimd.Arm64.IsSupported)
        {
            // Products at 16 bits (each below 2¹⁵), pairs of depths at 32, then pairs of pairs: each lane's quad.
            Vector128<short> low = AdvSimd.MultiplyWideningLower(x.GetLower(), w.GetLower());
            Vector128<short> high = AdvSimd.MultiplyWideningUpper(x, w);
            return new(sums.value + AdvSimd.Arm64.AddPairwise(AdvSimd.AddPairwiseWidening(low), AdvSimd.AddPairwiseWidening(high)));
        }
        Vector128<short> lower = Vector128.WidenLower(x) * Vector128.WidenLower(w), upper = Vector128.WidenUpper(x) * Vector128.WidenUpper(w);
        return new(sums.value + Vector128.Create(
            lower.GetElement(0) + lower.GetElement(1) + lower.GetElement(2) + lower.GetElement(3),
            lower.GetElement(4) + lower.GetElement(5) + lower.GetElement(6) + lower.GetElement(7),
            upper.GetElement(0) + upper.GetElement(1) + upper.GetElement(2) + upper.GetElement(3),
            upper.GetElement(4) + upper.GetElement(5) + upper.GetElement(6) + upper.GetElement(7)));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Quads128 Load(int* source) => new(Vector128.Load(source));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 ToFloats(Int8Quads128 sums) => new(Vector128.ConvertToSingle(sums.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Int8Quads128 sums, int* target) => sums.value.Store(target);
}
