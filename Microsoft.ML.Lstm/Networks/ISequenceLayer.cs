using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A layer that maps a packed batch of sequences to a packed batch of sequences, row for row:
/// input [N, InputSize] → output [N, OutputSize], N = <see cref="PackedLayout.TotalSteps"/>.
/// A layer keeps what its backward pass needs from the last forward pass in its own workspace, so
/// Backward must follow the Forward of the same batch, once: it may reuse that workspace for gradients.
/// </summary>
internal interface ISequenceLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Features per step read.</summary>
    int InputSize { get; }

    /// <summary>Features per step written.</summary>
    int OutputSize { get; }

    /// <summary>Computes the output; <paramref name="training"/> enables dropout and the caching backward needs.</summary>
    void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training);

    /// <summary>
    /// Given ∂L/∂output, accumulates (+=) the gradients of this layer's parameters into the parameter store
    /// and writes (overwrites) ∂L/∂input; an empty <paramref name="inputGradient"/> means the caller does not
    /// need it and the layer may skip that work.
    /// </summary>
    void Backward(PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient);
}
