using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>Keeps one exploding batch from wrecking the weights.</summary>
internal static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by maxNorm/‖g‖ when the global norm ‖g‖ exceeds <paramref name="maxNorm"/>, and returns
    /// ‖g‖ before scaling. A non-finite norm is returned without scaling, for the caller to stop on.
    /// </summary>
    public static T ClipByGlobalNorm<T>(Span<T> gradients, T maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T norm = System.Numerics.Tensors.TensorPrimitives.Norm<T>(gradients);
        if (T.IsFinite(norm) && norm > maxNorm)
            System.Numerics.Tensors.TensorPrimitives.Multiply(gradients, maxNorm / norm, gradients);
        return norm;
    }
}
