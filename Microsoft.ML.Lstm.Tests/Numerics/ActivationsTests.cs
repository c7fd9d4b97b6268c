using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

public class ActivationsTests
{
    private static readonly float[] SpecialArguments =
        { 0f, -0f, 1e-8f, -1e-8f, 1e-3f, -1e-3f, 0.17f, 0.18f, 0.5f, 0.625f, -0.625f, 1f, -1f, 3f, 9f, -9f, 15f, -15f, 20f, -20f, 50f, 88f, 100f, -100f, 1e6f, -1e6f };

    [Fact]
    public void VectorSigmoidIsWithin2e7OfDoubleAtEveryWidth()
    {
        float[] arguments = Arguments();
        AssertAccurate<Float512>(arguments, Activations.VectorSigmoid, x => 1 / (1 + Math.Exp(-x)), relative: false);
        AssertAccurate<Float256>(arguments, Activations.VectorSigmoid, x => 1 / (1 + Math.Exp(-x)), relative: false);
        AssertAccurate<Float128>(arguments, Activations.VectorSigmoid, x => 1 / (1 + Math.Exp(-x)), relative: false);
    }

    [Fact]
    public void VectorExpIsWithin2e7RelativeOfDoubleAtEveryWidth()
    {
        var values = new List<float> { 0f, -0f, 1e-30f, 88f, -87f, 0.34657359f, -0.34657359f, 0.693147f, 1f, -1f, 50f, -50f };
        for (float x = -87f; x <= 88f; x += 0.00731f)
            values.Add(x);
        float[] arguments = values.ToArray();
        AssertAccurate<Float512>(arguments, Activations.VectorExp, Math.Exp, relative: true, relativeBound: 2e-7);
        AssertAccurate<Float256>(arguments, Activations.VectorExp, Math.Exp, relative: true, relativeBound: 2e-7);
        AssertAccurate<Float128>(arguments, Activations.VectorExp, Math.Exp, relative: true, relativeBound: 2e-7);
    }

    [Fact]
    public void VectorTanhIsWithin2e7OfDoubleAtEveryWidth()
    {
        float[] arguments = Arguments();
        AssertAccurate<Float512>(arguments, Activations.VectorTanh, Math.Tanh, relative: false);
        AssertAccurate<Float256>(arguments, Activations.VectorTanh, Math.Tanh, relative: false);
        AssertAccurate<Float128>(arguments, Activations.VectorTanh, Math.Tanh, relative: false);
    }

    [Fact]
    public void VectorTanhKeepsRelativeAccuracyAndSignNearZero()
    {
        float[] arguments = { 1e-8f, -1e-8f, 1e-20f, -1e-30f, 1e-4f, -3e-5f, 0.01f, -0.3f, 0.6f, 1e-38f, 0f };
        AssertAccurate<Float128>(arguments, Activations.VectorTanh, Math.Tanh, relative: true);
        float[] zeros = { -0f, -0f, -0f, -0f };
        Span<float> result = stackalloc float[4];
        Activations.VectorTanh(Float128.Load(zeros, 0)).Store(result, 0);
        Assert.True(float.IsNegative(result[0]), "tanh(−0) keeps the sign of zero");
    }

    /// <summary>
    /// tanh as −m / (m + 2), m = e^(−2|x|) − 1, keeps its relative accuracy everywhere: across each step of the reduction's
    /// n (|x| = (k + ½)·ln 2 / 2), at the clamp (|x| = 15) and for tiny and denormal arguments.
    /// </summary>
    [Fact]
    public void VectorTanhIsWithin2e7RelativeOfDoubleEverywhere()
    {
        var values = new List<float> { 0.17328679f, 0.1732868f, -0.17328681f, 0.5198604f, 14.99f, 15f, 15.01f, 1e-45f, -1e-40f, float.Epsilon };
        for (float x = 1e-7f; x < 20f; x *= 1.0013f)
        {
            values.Add(x);
            values.Add(-x);
        }
        float[] arguments = values.ToArray();
        AssertAccurate<Float512>(arguments, Activations.VectorTanh, Math.Tanh, relative: true, relativeBound: 2e-7);
        AssertAccurate<Float256>(arguments, Activations.VectorTanh, Math.Tanh, relative: true, relativeBound: 2e-7);
        AssertAccurate<Float128>(arguments, Activations.VectorTanh, Math.Tanh, relative: true, relativeBound: 2e-7);
    }

    /// <summary>The clamps use the CPU's own min and max (one instruction, not .NET's IEEE sequence): a NaN argument must still come out NaN.</summary>
    [Fact]
    public void VectorActivationsPropagateNaNAtEveryWidth()
    {
        AssertNaNPropagates<Float512>();
        AssertNaNPropagates<Float256>();
        AssertNaNPropagates<Float128>();
    }

    private static void AssertNaNPropagates<TVector>() where TVector : struct, IFloatVector<TVector>
    {
        if (!TVector.IsHardwareAccelerated)
            return;
        var lanes = new float[TVector.Count];
        for (int i = 0; i < lanes.Length; i++)
            lanes[i] = i % 2 == 0 ? float.NaN : 0.5f * i;
        var result = new float[lanes.Length];
        foreach (Func<TVector, TVector> function in new Func<TVector, TVector>[] { Activations.VectorSigmoid, Activations.VectorTanh, Activations.VectorExp })
        {
            function(TVector.Load(lanes, 0)).Store(result, 0);
            for (int i = 0; i < lanes.Length; i++)
                Assert.True(float.IsNaN(result[i]) == (i % 2 == 0), $"{typeof(TVector).Name} lane {i}: {result[i]} from {lanes[i]}");
        }
    }

    private static float[] Arguments()
    {
        var values = new List<float>(SpecialArguments);
        for (float x = -30f; x <= 30f; x += 0.0137f)
            values.Add(x);
        return values.ToArray();
    }

    private static void AssertAccurate<TVector>(
        float[] arguments, Func<TVector, TVector> function, Func<double, double> exact, bool relative, double relativeBound = 2.5e-7)
        where TVector : struct, IFloatVector<TVector>
    {
        int count = TVector.Count;
        float[] input = new float[count], output = new float[count];
        for (int start = 0; start < arguments.Length; start += count)
        {
            for (int lane = 0; lane < count; lane++)
                input[lane] = arguments[Math.Min(start + lane, arguments.Length - 1)];
            function(TVector.Load(input, 0)).Store(output, 0);
            for (int lane = 0; lane < count; lane++)
            {
                double expected = exact(input[lane]);
                double error = Math.Abs(output[lane] - expected);
                double bound = relative ? relativeBound * Math.Abs(expected) : 2e-7;
                Assert.True(error <= bound, $"{typeof(TVector).Name} f({input[lane]:R}) = {output[lane]:R}, expected {expected:R} (error {error:E2})");
            }
        }
    }
}
