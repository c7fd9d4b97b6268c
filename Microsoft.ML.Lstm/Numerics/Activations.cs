using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// Activation functions shared by the gate kernels: generic scalar forms (the oracle, and the tails of
/// vector loops) and SIMD forms for float, accurate to about 2e-7 absolute against double.
/// </summary>
internal static class Activations
{
    /// <summary>exp argument beyond which e^x overflows float; clamping there keeps every quotient finite.</summary>
    private const float ExpLimit = 88f;

    /// <summary>Below this, e^x is under float's smallest normal; <see cref="VectorExp"/> returns e^−87 (≈ 1.6e−38) for it.</summary>
    private const float ExpFloor = -87f;

    /// <summary>−2|x| is clamped here in tanh: e^−30 ≈ 9·10⁻¹⁴ is far below half an ulp of 1, so tanh is ±1 in float beyond.</summary>
    private const float TanhExpFloor = -30f;

    /// <summary>σ(x) = 1 / (1 + e^(−x)).</summary>
    public static T Sigmoid<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));

    /// <summary>σ(x) = 1 / (1 + e^(−x)) per lane; e^(−x) is clamped at e^88 so σ(−100) is a tiny positive, not 0/∞ trouble.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector VectorSigmoid<TVector>(TVector x) where TVector : struct, IFloatVector<TVector>
    {
        TVector one = TVector.Create(1f);
        return one / (one + VectorExp(TVector.Min(-x, TVector.Create(ExpLimit))));
    }

    /// <summary>
    /// tanh per lane, one branch for every x: tanh|x| = −m / (m + 2) with m = e^(−2|x|) − 1 (<see cref="VectorExpm1"/>,
    /// exact in its last bits where a form through e^(2|x|) would cancel for small |x|), the sign of x restored. −2|x| is
    /// clamped at −30, where tanh is 1 in float (so ±∞ give ±1, NaN stays NaN). Within 1.8·10⁻⁷ relative of tanh over
    /// every float. The form it replaced (1 − 2 / (e^(2|x|) + 1), with a second, polynomial branch for small |x| and a select)
    /// made the LSTM cell 10–28 % slower and the GRU's 15 % (benchmarks/RESULTS.md, issue #15).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector VectorTanh<TVector>(TVector x) where TVector : struct, IFloatVector<TVector>
    {
        TVector m = VectorExpm1(TVector.Max(TVector.Abs(x) * TVector.Create(-2f), TVector.Create(TanhExpFloor)));
        return TVector.CopySign(m / (m + TVector.Create(2f)), x);
    }

    /// <summary>
    /// e^z − 1 per lane for z in [<see cref="TanhExpFloor"/>, 0]: with z = n·ln 2 + r as in <see cref="VectorExp"/>,
    /// e^z − 1 = 2ⁿ·(e^r − 1) + (2ⁿ − 1), where e^r − 1 = r + r²·P(r) keeps full relative accuracy as z → 0 (n = 0 there,
    /// and the sum is e^r − 1 itself) and 2ⁿ − 1 is exact down to n = −24 (below, it rounds to −1 where tanh is 1 anyway).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector VectorExpm1<TVector>(TVector z) where TVector : struct, IFloatVector<TVector>
    {
        TVector one = TVector.Create(1f);
        TVector n = TVector.Round(z * TVector.Create(1.44269504088896341f));
        TVector r = Reduce(z, n);
        TVector scale = TVector.ScaleByPowerOfTwo(one, n);
        return TVector.FusedMultiplyAdd(ExpOfReducedMinusOne(r), scale, scale - one);
    }

    /// <summary>
    /// e^x per lane in float arithmetic, for x ≤ 88 (callers clamp there; below −87 it returns e^−87): Cephes'
    /// expf's reduction, within about 1 ulp. x = n·ln 2 + r with n = round(x·log₂e) and |r| ≤ ln 2 / 2 (ln 2 split in
    /// two parts, so r is exact), e^r = 1 + r + r²·P(r) with P of degree 4 fitted minimax for this range (relative error
    /// of the fit 3·10⁻⁹; of the float evaluation, at most 8.1·10⁻⁸ over [−87, 88], as with Cephes' P of degree 5, one
    /// FMA more: the activations are bound by their FMAs), then ·2ⁿ added to its exponent bits (e^r in [0.70, 1.42]
    /// and n in [−126, 127] keep the product a normal float for every x the clamps let through). The runtime's own
    /// vector exp computes in double and made the gate kernels markedly slower (inference 9–23 %).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector VectorExp<TVector>(TVector x) where TVector : struct, IFloatVector<TVector>
    {
        x = TVector.Max(x, TVector.Create(ExpFloor));
        TVector n = TVector.Round(x * TVector.Create(1.44269504088896341f));
        TVector y = ExpOfReducedMinusOne(Reduce(x, n)) + TVector.Create(1f);
        return TVector.ScaleByPowerOfTwo(y, n);
    }

    /// <summary>r = x − n·ln 2, exact: ln 2 in two parts, the first with few enough bits that n times it is exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Reduce<TVector>(TVector x, TVector n) where TVector : struct, IFloatVector<TVector>
    {
        TVector r = TVector.FusedMultiplyAdd(n, TVector.Create(-0.693359375f), x);
        return TVector.FusedMultiplyAdd(n, TVector.Create(2.12194440e-4f), r);
    }

    /// <summary>e^r − 1 = r + r²·P(r) for |r| ≤ ln 2 / 2, P the degree-4 minimax fit described at <see cref="VectorExp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ExpOfReducedMinusOne<TVector>(TVector r) where TVector : struct, IFloatVector<TVector>
    {
        TVector p = TVector.FusedMultiplyAdd(TVector.Create(1.38146034e-3f), r, TVector.Create(8.36870912e-3f));
        p = TVector.FusedMultiplyAdd(p, r, TVector.Create(4.16683890e-2f));
        p = TVector.FusedMultiplyAdd(p, r, TVector.Create(1.66665211e-1f));
        p = TVector.FusedMultiplyAdd(p, r, TVector.Create(4.99999940e-1f));
        return TVector.FusedMultiplyAdd(p, r * r, r);
    }
}
