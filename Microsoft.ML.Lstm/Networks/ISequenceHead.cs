using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The part of a network after the encoder: it owns its parameters (registered in the network's store under
/// <c>head.</c>), its loss, its backward pass and its decoding. It reads the encoder's per-step features and
/// final states (<see cref="EncodedBatch{T}"/>), sequence boundaries included, and may send gradients back
/// through both. Training runs <see cref="Loss"/> then <see cref="Backward"/> on the same batch; scoring runs
/// <see cref="Predict"/>.
/// </summary>
internal interface ISequenceHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The head's architecture.</summary>
    HeadSpec Spec { get; }

    /// <summary>Whether <see cref="Backward"/> sends a gradient into the encoder's final states (so the encoder must take one).</summary>
    bool ReadsFinalState { get; }

    /// <summary>Targets an example of <paramref name="length"/> steps carries: e.g. 1 per sequence, or one per step.</summary>
    int TargetCount(int length);

    /// <summary>Values <see cref="Predict"/> writes for a sequence of <paramref name="length"/> steps.</summary>
    int PredictionCount(int length);

    /// <summary>
    /// The mean loss of the batch against <paramref name="targets"/> (each sequence's <see cref="TargetCount"/>
    /// values, sequence after sequence in the caller's order); <paramref name="training"/> enables dropout and
    /// keeps what <see cref="Backward"/> needs.
    /// </summary>
    HeadLoss Loss(EncodedBatch<T> encoded, ReadOnlySpan<T> targets, bool training);

    /// <summary>
    /// After a training <see cref="Loss"/>: accumulates (+=) the head's parameter gradients, writes (overwrites)
    /// ∂loss/∂features [N, D] in packed order, and adds ∂loss/∂(final states) into
    /// <paramref name="finalStateGradient"/> when <see cref="ReadsFinalState"/> (it is null otherwise).
    /// </summary>
    void Backward(EncodedBatch<T> encoded, Span<T> featureGradient, RecurrentState<T>? finalStateGradient);

    /// <summary>Writes each sequence's <see cref="PredictionCount"/> values, sequence after sequence in the caller's order.</summary>
    void Predict(EncodedBatch<T> encoded, Span<T> predictions);
}
