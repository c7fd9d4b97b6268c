using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A softmax at every step, for tagging and for next-token language models:
/// <code>
/// features [N, D] → dropout → dense [N, K] → softmax cross-entropy against one class index per step
/// </code>
/// Parameters: <c>head.dense.weight</c> [K, D], <c>head.dense.bias</c> [K]. <see cref="Predict"/> writes the K
/// logits of every step, each sequence's steps in time order.
/// </summary>
internal sealed class StepSoftmaxHead<T> : ISequenceHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly StepSoftmaxHeadSpec spec;
    private readonly DropoutLayer<T> dropout;
    private readonly DenseLayer<T> dense;
    private readonly SoftmaxCrossEntropyLoss<T> loss;
    private readonly OutputOrder order = new();
    private T[] denseInput = Array.Empty<T>();      // [N, D] after dropout
    private T[] packedOutput = Array.Empty<T>();    // [N, K] packed order
    private T[] output = Array.Empty<T>();          // [N, K] caller's order
    private T[] outputGradient = Array.Empty<T>();  // ∂loss/∂output [N, K], caller's order
    private T[] packedOutputGradient = Array.Empty<T>();
    private T[] denseInputGradient = Array.Empty<T>();

    /// <summary>Registers the head's parameters and, given <paramref name="random"/>, initialises them.</summary>
    public StepSoftmaxHead(StepSoftmaxHeadSpec spec, ParameterStore<T> store, EncoderSpec encoder, Random? random)
    {
        spec.Validate();
        this.spec = spec;
        dropout = new DropoutLayer<T>(spec.Dropout, random ?? new Random(0));
        dense = new DenseLayer<T>(store, "head.dense", encoder.OutputSize, spec.ClassCount, random);
        loss = new SoftmaxCrossEntropyLoss<T>(spec.ClassCount);
    }

    /// <inheritdoc />
    public HeadSpec Spec => spec;

    /// <inheritdoc />
    public bool ReadsFinalState => false;

    /// <inheritdoc />
    public int TargetCount(int length) => length;

    /// <inheritdoc />
    public int PredictionCount(int length) => length * spec.ClassCount;

    /// <inheritdoc />
    public HeadLoss Loss(EncodedBatch<T> encoded, ReadOnlySpan<T> targets, bool training)
    {
        ReadOnlySpan<T> outputs = Forward(encoded, training);
        int rows = encoded.Layout.TotalSteps;
        Span<T> gradient = Workspace.Ensure(ref outputGradient, outputs.Length);
        double mean = double.CreateChecked(loss.Compute(outputs, targets, gradient));
        return new HeadLoss(mean, rows, Classification.CountArgMaxHits(outputs, targets, rows, spec.ClassCount));
    }

    /// <inheritdoc />
    public void Backward(EncodedBatch<T> encoded, Span<T> featureGradient, RecurrentState<T>? finalStateGradient)
    {
        int rows = encoded.Layout.TotalSteps, k = spec.ClassCount, d = encoded.FeatureSize;
        Span<T> packedGradient = Workspace.Ensure(ref packedOutputGradient, rows * k);
        order.FromCaller<T>(outputGradient.AsSpan(0, rows * k), packedGradient, k);
        Span<T> droppedGradient = Workspace.Ensure(ref denseInputGradient, rows * d);
        dense.Backward(rows, denseInput.AsSpan(0, rows * d), packedGradient, droppedGradient);
        dropout.Backward(droppedGradient, featureGradient);
    }

    /// <inheritdoc />
    public void Predict(EncodedBatch<T> encoded, Span<T> predictions) => Forward(encoded, training: false).CopyTo(predictions);

    /// <summary>The K logits of every step [N, K], in the caller's order.</summary>
    private ReadOnlySpan<T> Forward(EncodedBatch<T> encoded, bool training)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.TotalSteps, k = spec.ClassCount, d = encoded.FeatureSize;
        Span<T> dropped = Workspace.Ensure(ref denseInput, rows * d);
        dropout.Forward(encoded.Features, dropped, training);
        Span<T> result = Workspace.Ensure(ref packedOutput, rows * k);
        dense.Forward(rows, dropped, result);
        order.ForSteps(layout);
        Span<T> ordered = Workspace.Ensure(ref output, rows * k);
        order.ToCaller<T>(result, ordered, k);
        return ordered;
    }
}
