using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// Four columns' sums of 16-bit pairs at 128 bits: SSE4.1's PMOVSXBW and SSE2's PMADDWD on x86 (AVX-VNNI's VPDPWSSD
/// where present, untested here as at 256 bits), the widening multiplies and a pairwise add on ARM64 (what it runs
/// there); the int8 kernel's narrow width. All give the same exact sums.
/// </summary>
internal readonly unsafe struct Int16Pairs128(Vector128<int> value) : IInt16PairVector<Int16Pairs128, Float128>
{
    private readonly Vector128<int> value = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int16Pairs128 LoadWeights(sbyte* source) => new(
        Sse41.IsSupported
            ? Sse41.ConvertToVector128Int16(source).AsInt32()
            : Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(source)).AsSByte()).AsInt32());

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int16Pairs128 Broadcast(short* pair) => new(Vector128.Create(*(int*)pair));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int16Pairs128 MultiplyAddPairs(Int16Pairs128 sums, Int16Pairs128 activations, Int16Pairs128 weights)
    {
        Vector128<short> x = activations.value.AsInt16(), w = weights.value.AsInt16();
        if (AvxVnni.IsSupported)
            return new(AvxVnni.MultiplyWideningAndAdd(sums.value, x, w));
        if (Sse2.IsSupported)
            return new(Sse2.Add(sums.value, Sse2.MultiplyAddAdjacent(x, w)));
        if (AdvSimd.Arm64.IsSupported)
        {
            // Products 0..3 and 4..7 at 32 bits, then adjacent pairs added: PMADDWD's result.
            Vector128<int> low = AdvSimd.MultiplyWideningLower(x.GetLower(), w.GetLower());
            Vector128<int> high = AdvSimd.MultiplyWideningUpper(x, w);
            return new(sums.value + AdvSimd.Arm64.AddPairwise(low, high));
        }
        Vector128<int> lower = Vector128.WidenLower(x) * Vector128.WidenLower(w), upper = Vector128.WidenUpper(x) * Vector128.WidenUpper(w);
        return new(sums.value + Vector128.Create(
            lower.GetElement(0) + lower.GetElement(1), lower.GetElement(2) + lower.GetElement(3),
            upper.GetElement(0) + upper.GetElement(1), upper.GetElement(2) + upper.GetElement(3)));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 ToFloats(Int16Pairs128 sums) => new(Vector128.ConvertToSingle(sums.value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Int16Pairs128 sums, int* target) => sums.value.Store(target);
}
