using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The classification and regression head: each sequence's steps pooled into one vector (<see cref="SequencePooling{T}"/>),
/// dropout, and a dense layer of K outputs per sequence, trained with the spec's loss:
/// <code>
/// features [N, D] → pooling [B, D'] → dropout → dense [B, K] → loss against one target per sequence
/// (a 0/1 label or a class index) or K targets (regression)
/// </code>
/// Parameters: <c>head.pooling.*</c> (attention) and <c>head.dense.weight</c> [K, D'], <c>head.dense.bias</c> [K].
/// <see cref="Predict"/> writes the K raw outputs (logits, or values) of each sequence.
/// </summary>
internal sealed class PooledDenseHead<T> : ISequenceHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PooledHeadSpec spec;
    private readonly SequencePooling<T> pooling;
    private readonly DropoutLayer<T> dropout;
    private readonly DenseLayer<T> dense;
    private readonly ILoss<T> loss;
    private readonly OutputOrder order = new();
    private T[] pooled = Array.Empty<T>();          // [B, D'] sorted order
    private T[] denseInput = Array.Empty<T>();      // [B, D'] after dropout
    private T[] sortedOutput = Array.Empty<T>();    // [B, K] sorted order
    private T[] output = Array.Empty<T>();          // [B, K] caller's order
    private T[] outputGradient = Array.Empty<T>();  // ∂loss/∂output [B, K], caller's order, then sorted
    private T[] sortedOutputGradient = Array.Empty<T>();
    private T[] denseInputGradient = Array.Empty<T>();
    private T[] pooledGradient = Array.Empty<T>();

    /// <summary>Registers the head's parameters and, given <paramref name="random"/>, initialises them.</summary>
    public PooledDenseHead(PooledHeadSpec spec, ParameterStore<T> store, EncoderSpec encoder, Random? random)
    {
        spec.Validate();
        this.spec = spec;
        // Sum or mean merging mixes the directions, so only concatenated halves have separate final states.
        int directions = encoder.Bidirectional && encoder.Merge == MergeMode.Concat ? 2 : 1;
        pooling = new SequencePooling<T>(spec.Pooling, encoder.OutputSize, directions, store, "head.pooling", random);
        dropout = new DropoutLayer<T>(spec.Dropout, random ?? new Random(0));
        dense = new DenseLayer<T>(store, "head.dense", pooling.OutputSize, spec.OutputSize, random);
        loss = spec.Loss switch
        {
            LossKind.SoftmaxCrossEntropy => new SoftmaxCrossEntropyLoss<T>(spec.OutputSize, spec.ClassWeights is null ? null : Array.ConvertAll(spec.ClassWeights, w => T.CreateChecked(w))),
            LossKind.SigmoidBinaryCrossEntropy => new SigmoidBinaryCrossEntropyLoss<T>(),
            LossKind.MeanSquaredError => new MeanSquaredErrorLoss<T>(),
            LossKind.Huber => new HuberLoss<T>(T.CreateChecked(spec.HuberDelta)),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Loss, "Unknown loss."),
        };
    }

    /// <inheritdoc />
    public HeadSpec Spec => spec;

    /// <inheritdoc />
    public bool ReadsFinalState => false;

    /// <inheritdoc />
    public int TargetCount(int length) => spec.Loss is LossKind.MeanSquaredError or LossKind.Huber ? spec.OutputSize : 1;

    /// <inheritdoc />
    public int PredictionCount(int length) => spec.OutputSize;

    /// <inheritdoc />
    public HeadLoss Loss(EncodedBatch<T> encoded, ReadOnlySpan<T> targets, bool training)
    {
        ReadOnlySpan<T> outputs = Forward(encoded, training);
        int rows = encoded.Layout.SequenceCount;
        Span<T> gradient = Workspace.Ensure(ref outputGradient, outputs.Length);
        double mean = double.CreateChecked(loss.Compute(outputs, targets, gradient));
        return new HeadLoss(mean, rows, CountCorrect(outputs, targets, rows));
    }

    /// <inheritdoc />
    public void Backward(EncodedBatch<T> encoded, Span<T> featureGradient, RecurrentState<T>? finalStateGradient)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.SequenceCount, k = spec.OutputSize, features = pooling.OutputSize;
        Span<T> sortedGradient = Workspace.Ensure(ref sortedOutputGradient, rows * k);
        order.FromCaller<T>(outputGradient.AsSpan(0, rows * k), sortedGradient, k);
        Span<T> droppedGradient = Workspace.Ensure(ref denseInputGradient, rows * features);
        dense.Backward(rows, denseInput.AsSpan(0, rows * features), sortedGradient, droppedGradient);
        Span<T> summaryGradient = Workspace.Ensure(ref pooledGradient, rows * features);
        dropout.Backward(droppedGradient, summaryGradient);
        pooling.Backward(layout, encoded.Features, summaryGradient, featureGradient);
    }

    /// <inheritdoc />
    public void Predict(EncodedBatch<T> encoded, Span<T> predictions) => Forward(encoded, training: false).CopyTo(predictions);

    /// <summary>The K raw outputs of each sequence [B, K], in the caller's order.</summary>
    private ReadOnlySpan<T> Forward(EncodedBatch<T> encoded, bool training)
    {
        PackedLayout layout = encoded.Layout;
        int rows = layout.SequenceCount, features = pooling.OutputSize, k = spec.OutputSize;
        Span<T> summary = Workspace.Ensure(ref pooled, rows * features);
        pooling.Forward(layout, encoded.Features, summary);
        Span<T> dropped = Workspace.Ensure(ref denseInput, rows * features);
        dropout.Forward(summary, dropped, training);
        Span<T> result = Workspace.Ensure(ref sortedOutput, rows * k);
        dense.Forward(rows, dropped, result);
        order.ForSequences(layout);
        Span<T> ordered = Workspace.Ensure(ref output, rows * k);
        order.ToCaller<T>(result, ordered, k);
        return ordered;
    }

    /// <summary>Sequences classified right: the largest logit, or the logit's sign; null for regression.</summary>
    private long? CountCorrect(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, int rows) => spec.Loss switch
    {
        LossKind.SoftmaxCrossEntropy => Classification.CountArgMaxHits(outputs, targets, rows, spec.OutputSize),
        LossKind.SigmoidBinaryCrossEntropy => Classification.CountSignHits(outputs, targets),
        _ => null,
    };
}
