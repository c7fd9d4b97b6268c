using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The states of every layer and direction of a recurrent stack for a batch of B sequences, in PyTorch's layout:
/// <see cref="Hidden"/> and <see cref="Cell"/> are [L·D, B, H], index layer·D + direction, the sequences in the
/// caller's order. Used for initial states in, final states out, and the gradients of both.
/// </summary>
internal sealed class RecurrentState<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Zero states for <paramref name="states"/> = L·D layer-directions of <paramref name="sequences"/> sequences.</summary>
    public RecurrentState(int states, int sequences, int hiddenSize, bool hasCell)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(states);
        ArgumentOutOfRangeException.ThrowIfNegative(sequences);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        States = states;
        Sequences = sequences;
        HiddenSize = hiddenSize;
        HasCell = hasCell;
        int length = checked(states * sequences * hiddenSize);
        Hidden = new T[length];
        Cell = hasCell ? new T[length] : Array.Empty<T>();
    }

    /// <summary>Layers × directions (L·D).</summary>
    public int States { get; }

    /// <summary>Sequences in the batch (B).</summary>
    public int Sequences { get; }

    /// <summary>Hidden units per direction (H).</summary>
    public int HiddenSize { get; }

    /// <summary>Whether there is a cell state (LSTMs); false for a GRU.</summary>
    public bool HasCell { get; }

    /// <summary>h [L·D, B, H].</summary>
    public T[] Hidden { get; }

    /// <summary>c [L·D, B, H]; empty for a GRU.</summary>
    public T[] Cell { get; }

    /// <summary>Sets every value to zero.</summary>
    public void Clear()
    {
        Array.Clear(Hidden);
        Array.Clear(Cell);
    }

    /// <summary>Whether this state fits a stack of <paramref name="states"/> layer-directions over <paramref name="sequences"/> sequences.</summary>
    public bool Fits(int states, int sequences, int hiddenSize, bool hasCell) =>
        States == states && Sequences == sequences && HiddenSize == hiddenSize && HasCell == hasCell;
}
