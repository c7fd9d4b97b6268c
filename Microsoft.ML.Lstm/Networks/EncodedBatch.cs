using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// What an encoder gives its head for one batch: the batch (its layout gives the sequence boundaries), the
/// per-step features [N, D] in packed order, and the final states of every layer and direction in the caller's
/// order. Owned by the encoder and valid until its next Forward.
/// </summary>
internal sealed class EncodedBatch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] features = Array.Empty<T>();

    internal EncodedBatch(int featureSize) => FeatureSize = featureSize;

    /// <summary>The batch encoded.</summary>
    public SequenceBatch<T> Batch { get; private set; } = null!;

    /// <summary>How the batch's sequences are sorted and packed.</summary>
    public PackedLayout Layout => Batch.Layout;

    /// <summary>Features per step (D).</summary>
    public int FeatureSize { get; }

    /// <summary>The per-step features [N, D], packed.</summary>
    public ReadOnlySpan<T> Features => features.AsSpan(0, Layout.TotalSteps * FeatureSize);

    /// <summary>h_n (and c_n) of every layer and direction, [L·D, B, H] in the caller's order.</summary>
    public RecurrentState<T> FinalState { get; private set; } = null!;

    /// <summary>Points at a new batch and returns the features buffer [N, D] for the encoder to fill.</summary>
    internal Span<T> Begin(SequenceBatch<T> batch)
    {
        Batch = batch;
        return Workspace.Ensure(ref features, batch.Layout.TotalSteps * FeatureSize);
    }

    /// <summary>Records the final states of the batch.</summary>
    internal void End(RecurrentState<T> finalState) => FinalState = finalState;
}
