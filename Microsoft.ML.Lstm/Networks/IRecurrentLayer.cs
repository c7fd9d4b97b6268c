using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A recurrent layer (one direction, or a bidirectional pair) whose states are part of its contract, as in
/// PyTorch's <c>output, (h_n, c_n) = lstm(input, (h_0, c_0))</c>: initial states in and final states out, and
/// their gradients both ways. States are [D, B, H] (D directions, B sequences in the batch's sorted order,
/// H hidden units); an empty span stands for zero. The cell parts are empty for a GRU.
/// </summary>
internal interface IRecurrentLayer<T> : ISequenceLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Hidden units per direction (H).</summary>
    int HiddenSize { get; }

    /// <summary>1, or 2 for a bidirectional layer.</summary>
    int Directions { get; }

    /// <summary>Whether the cell has a cell state c besides h (the LSTMs; not the GRU).</summary>
    bool HasCell { get; }

    /// <summary>Runs the layer from the initial states h_0 and c_0 [D, B, H] (empty: zero).</summary>
    void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training, ReadOnlySpan<T> initialHidden, ReadOnlySpan<T> initialCell);

    /// <summary>h_n [D, B, H] after the last Forward: each sequence's hidden state after its own last step (for the reverse direction, after step 0).</summary>
    ReadOnlySpan<T> FinalHidden { get; }

    /// <summary>c_n [D, B, H] after the last Forward; empty for a GRU.</summary>
    ReadOnlySpan<T> FinalCell { get; }

    /// <summary>
    /// As <see cref="ISequenceLayer{T}.Backward"/>, with ∂L/∂h_n and ∂L/∂c_n [D, B, H] (empty: zero) entering
    /// through the final states.
    /// </summary>
    void Backward(
        PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient,
        ReadOnlySpan<T> finalHiddenGradient, ReadOnlySpan<T> finalCellGradient);

    /// <summary>∂L/∂h_0 [D, B, H] after the last Backward.</summary>
    ReadOnlySpan<T> InitialHiddenGradient { get; }

    /// <summary>∂L/∂c_0 [D, B, H] after the last Backward; empty for a GRU.</summary>
    ReadOnlySpan<T> InitialCellGradient { get; }
}
