using System.Numerics;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A SIMD vector of floats of one width (see <see cref="Float512"/>, <see cref="Float256"/>, <see cref="Float128"/>),
/// so that a fused elementwise kernel is written once, generic over the width, and compiled by the JIT once per
/// width it is called with (TensorPrimitives keeps one loop per width for the same reason).
/// </summary>
/// <remarks><see cref="Load(ReadOnlySpan{float}, int)"/> and <see cref="Store"/> do not check bounds: callers keep offset + Count within the span.</remarks>
internal interface IFloatVector<TSelf> :
    IAdditionOperators<TSelf, TSelf, TSelf>, ISubtractionOperators<TSelf, TSelf, TSelf>,
    IMultiplyOperators<TSelf, TSelf, TSelf>, IDivisionOperators<TSelf, TSelf, TSelf>, IUnaryNegationOperators<TSelf, TSelf>
    where TSelf : struct, IFloatVector<TSelf>
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on hardware rather than in software emulation.</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TSelf Create(float value);

    /// <summary>Lanes source[offset .. offset+Count).</summary>
    static abstract TSelf Load(ReadOnlySpan<float> source, int offset);

    /// <summary>
    /// Lanes source[0 .. Count): what the few-rows kernels' depth loops read B through. A span made around the pointer
    /// for each load cost up to two instructions a load there (the JIT copied the pointer and rebuilt the address in the
    /// copy), in loops already near the six ops a cycle a Zen core dispatches: a four-row product 4 × 128 · 128 × 512
    /// ran at 84 GFLOP/s where it runs at 88–91 now (Zen 3, best calls; benchmarks/RESULTS.md).
    /// </summary>
    static abstract unsafe TSelf Load(float* source);

    /// <summary>
    /// Every lane set to *<paramref name="source"/>, read from memory by the broadcast instruction itself: how the few-rows
    /// kernels read A. <see cref="Create"/> of a loaded float is the same one instruction with AVX2, but four with AVX
    /// alone (whose vbroadcastss takes only a memory operand), which left the 256-bit few-rows kernels at half speed there.
    /// </summary>
    static abstract unsafe TSelf Broadcast(float* source);

    /// <summary>Writes the lanes to destination[offset .. offset+Count).</summary>
    void Store(Span<float> destination, int offset);

    /// <summary>a·b + addend, rounded once.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf addend);

    /// <summary>Each lane rounded to the nearest integer (ties to even).</summary>
    static abstract TSelf Round(TSelf x);

    /// <summary>
    /// x · 2ⁿ per lane, for integral n and normal x whose product is a normal float (n added to x's exponent bits: one
    /// integer add where a multiply by 2ⁿ would take a float multiply and an add more, the same bits); a NaN n, as from
    /// a NaN x, adds nothing, so a NaN x stays NaN. n is converted by the CPU's own instruction (cvttps2dq, fcvtzs), not
    /// .NET's saturating conversion, whose checks n never needs.
    /// </summary>
    static abstract TSelf ScaleByPowerOfTwo(TSelf x, TSelf n);

    /// <summary>|x| per lane.</summary>
    static abstract TSelf Abs(TSelf x);

    /// <summary>
    /// The smaller of each pair of lanes; where a lane of <paramref name="a"/> is NaN, that NaN (<paramref name="b"/> is
    /// a clamp bound, never NaN). One minps / fmin: .NET's IEEE <c>Min</c> spends four more instructions on NaN and
    /// signed zeros, which the activations' clamps at ±87 never meet, so the results are the same bits.
    /// </summary>
    static abstract TSelf Min(TSelf a, TSelf b);

    /// <summary>The larger of each pair of lanes; NaN in <paramref name="a"/> as for <see cref="Min"/>.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>|magnitude| with the sign of <paramref name="sign"/>, per lane.</summary>
    static abstract TSelf CopySign(TSelf magnitude, TSelf sign);
}
