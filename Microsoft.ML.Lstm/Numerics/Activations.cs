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

    /// <summary>Below this |x|, tanh uses its odd polynomial; above, the exp form has no cancellation worth fearing.</summary>
    private const float TanhPolynomialLimit = 0.625f;

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
    /// tanh per lane. For |x| ≥ 0.625: tanh|x| = 1 − 2 / (e^(2|x|) + 1) with the sign of x restored (exp clamped, so
    /// large |x| gives exactly ±1). For |x| &lt; 0.625, where that form would cancel, Cephes' tanhf polynomial
    /// x + x³·P(x²) keeps full relative accuracy down to tiny and signed-zero arguments.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector VectorTanh<TVector>(TVector x) where TVector : struct, IFloatVector<TVector>
    {
        TVector one = TVector.Create(1f);
        TVector magnitude = TVector.Abs(x);
        TVector exp2x = VectorExp(TVector.Min(magnitude + magnitude, TVector.Create(ExpLimit)));
        TVector large = TVector.CopySign(one - TVector.Create(2f) / (exp2x + one), x);

        TVector square = x * x;
        TVector polynomial = TVector.FusedMultiplyAdd(TVector.Create(-5.70498872745e-3f), square, TVector.Create(2.06390887954e-2f));
        polynomial = TVector.FusedMultiplyAdd(polynomial, square, TVector.Create(-5.37397155531e-2f));
        polynomial = TVector.FusedMultiplyAdd(polynomial, square, TVector.Create(1.33314422036e-1f));
        polynomial = TVector.FusedMultiplyAdd(polynomial, square, TVector.Create(-3.33332819422e-1f));
        // CopySign keeps tanh(−0) = −0, which x + x³·P would round to +0.
        TVector small = TVector.CopySign(TVector.FusedMultiplyAdd(polynomial * square, x, x), x);

        return TVector.SelectWhereLess(magnitude, TVector.Create(TanhPolynomialLimit), small, large);
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
        TVector r = TVector.FusedMultiplyAdd(n, TVector.Create(-0.693359375f), x);
        r = TVector.FusedMultiplyAdd(n, TVector.Create(2.12194440e-4f), r);
        TVector p = TVector.FusedMultiplyAdd(TVector.Create(1.38146034e-3f), r, TVector.Create(8.36870912e-3f));
        p = TVector.FusedMultiplyAdd(p, r, TVector.Create(4.16683890e-2f));
        p = TVector.FusedMultiplyAdd(p, r, TVector.Create(1.66665211e-1f));
        p = TVector.FusedMultiplyAdd(p, r, TVector.Create(4.99999940e-1f));
        TVector y = TVector.FusedMultiplyAdd(p, r * r, r) + TVector.Create(1f);
        return TVector.ScaleByPowerOfTwo(y, n);
    }
}
