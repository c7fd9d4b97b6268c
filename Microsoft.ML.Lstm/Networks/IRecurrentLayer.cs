using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>A one-direction recurrent layer, whose initial state can be given and whose gradient can be read.</summary>
internal interface IRecurrentLayer<T> : ISequenceLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Hidden units (H); the output has H features per step.</summary>
    int HiddenSize { get; }

    /// <summary>
    /// Starts the next batches from h0 (and c0 for LSTMs; ignored by a GRU), each [B, H] in the batch's
    /// sorted order, until <see cref="ClearInitialState"/>. Without it the state starts at zero.
    /// </summary>
    void SetInitialState(ReadOnlySpan<T> hidden, ReadOnlySpan<T> cell);

    /// <summary>Starts from zero again.</summary>
    void ClearInitialState();

    /// <summary>∂L/∂h0 [B, H] (sorted order) after the last Backward.</summary>
    ReadOnlySpan<T> InitialHiddenGradient { get; }

    /// <summary>∂L/∂c0 [B, H] (sorted order) after the last Backward; empty for a GRU.</summary>
    ReadOnlySpan<T> InitialCellGradient { get; }
}
