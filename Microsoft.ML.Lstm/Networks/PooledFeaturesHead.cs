using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The featurizing head: each sequence's steps pooled into one vector per mode (<see cref="SequencePooling{T}"/>, the
/// same code the classification head pools with), concatenated:
/// <code>
/// features [N, D] → [pooling₁ | pooling₂ | …] [B, D·M]
/// </code>
/// Parameters: <c>head.pooling.*</c> for attention (copied from the classifier it came from), else none. It has no
/// loss: <see cref="Loss"/> throws. <see cref="Predict"/> writes the D·M values of each sequence.
/// </summary>
internal sealed class PooledFeaturesHead<T> : ISequenceHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PooledFeaturesHeadSpec spec;
    private readonly SequencePooling<T>[] poolings;
    private readonly int features, width;
    private readonly OutputOrder order = new();
    private T[] pooled = Array.Empty<T>();  // [B, D] one mode, sorted order
    private T[] sorted = Array.Empty<T>();  // [B, D·M] sorted order

    /// <summary>Registers attention's parameters, if any, and given <paramref name="random"/> initialises them.</summary>
    public PooledFeaturesHead(PooledFeaturesHeadSpec spec, ParameterStore<T> store, EncoderSpec encoder, Random? random)
    {
        spec.Validate();
        this.spec = spec;
        // As the classification head: only concatenated directions have separate final states.
        int directions = encoder.Bidirectional && encoder.Merge == MergeMode.Concat ? 2 : 1;
        features = encoder.OutputSize;
        width = features * spec.Modes.Length;
        poolings = Array.ConvertAll(spec.Modes, mode => new SequencePooling<T>(mode, features, directions, store, "head.pooling", random));
    }

    /// <inheritdoc />
    public HeadSpec Spec => spec;

    /// <inheritdoc />
    public bool ReadsFinalState => false;

    /// <inheritdoc />
    public int TargetCount(int length) => 0;

    /// <inheritdoc />
    public int PredictionCount(int length) => width;

    /// <inheritdoc />
    public HeadLoss Loss(EncodedBatch<T> encoded, ReadOnlySpan<T> targets, bool training) =>
        throw new InvalidOperationException("A featurizing head has no loss: train its encoder under another head and copy it.");

    /// <inheritdoc />
    public void Backward(EncodedBatch<T> encoded, Span<T> featureGradient, RecurrentState<T>? finalStateGradient) =>
        throw new InvalidOperationException("A featurizing head has no loss to back-propagate.");

    /// <inheritdoc />
    public void Predict(EncodedBatch<T> encoded, Span<T> predictions)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.SequenceCount;
        Span<T> all = Workspace.Ensure(ref sorted, rows * width);
        Span<T> one = Workspace.Ensure(ref pooled, rows * features);
        for (int m = 0; m < poolings.Length; m++)
        {
            poolings[m].Forward(layout, encoded.Features, one);
            for (int s = 0; s < rows; s++)
                one.Slice(s * features, features).CopyTo(all.Slice(s * width + m * features, features));
        }
        order.ForSequences(layout);
        order.ToCaller<T>(all, predictions.Slice(0, rows * width), width);
    }
}
