using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>Penalties added to the gradient.</summary>
internal static class Regularization
{
    /// <summary>Adds the gradient of λ/2·‖w‖², that is λw, to <paramref name="gradients"/>.</summary>
    public static void AddL2<T>(ReadOnlySpan<T> values, Span<T> gradients, T lambda) where T : unmanaged, IFloatingPointIeee754<T> =>
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(values, lambda, gradients, gradients);
}
