using System.Numerics;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>Scalar activation functions shared by the gate kernels.</summary>
internal static class Activations
{
    /// <summary>σ(x) = 1 / (1 + e^(−x)).</summary>
    public static T Sigmoid<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-x));
}
