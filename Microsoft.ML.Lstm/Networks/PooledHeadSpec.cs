using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A <see cref="PooledDenseHead{T}"/>: pooling over each sequence's steps, dropout, then a dense layer of
/// <see cref="OutputSize"/> outputs per sequence, trained with <see cref="Loss"/> (classification and regression).
/// </summary>
internal sealed record PooledHeadSpec : HeadSpec
{
    /// <summary>Most outputs per sequence.</summary>
    public const int MaxOutputSize = 1 << 20;

    /// <summary>How a sequence becomes one vector.</summary>
    public PoolingMode Pooling { get; init; } = PoolingMode.LastState;

    /// <summary>Outputs per sequence (K): 1 logit, K logits, or K values.</summary>
    public required int OutputSize { get; init; }

    /// <summary>The objective, and with it how targets are read.</summary>
    public LossKind Loss { get; init; } = LossKind.SoftmaxCrossEntropy;

    /// <summary>Per-class weights of the softmax cross-entropy, or null for equal weights.</summary>
    public float[]? ClassWeights { get; init; }

    /// <summary>Where the Huber loss turns from squared to absolute error.</summary>
    public double HuberDelta { get; init; } = 1.0;

    /// <inheritdoc />
    public override ISequenceHead<T> Create<T>(ParameterStore<T> store, EncoderSpec encoder, Random? random) =>
        new PooledDenseHead<T>(this, store, encoder, random);

    /// <inheritdoc />
    public override long ParameterCount(EncoderSpec encoder)
    {
        long d = encoder.OutputSize;
        long attention = Pooling == PoolingMode.Attention ? d * d + 2 * d : 0;
        return attention + d * OutputSize + OutputSize;
    }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        EncoderSpec.Require(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "a known pooling mode");
        EncoderSpec.Require(Enum.IsDefined(Loss), nameof(Loss), Loss, "a known loss");
        EncoderSpec.Require(OutputSize is > 0 and <= MaxOutputSize, nameof(OutputSize), OutputSize, $"in [1, {MaxOutputSize}]");
        EncoderSpec.Require(Loss != LossKind.SigmoidBinaryCrossEntropy || OutputSize == 1, nameof(OutputSize), OutputSize, "1 for a sigmoid cross-entropy");
        EncoderSpec.Require(Loss != LossKind.SoftmaxCrossEntropy || OutputSize >= 2, nameof(OutputSize), OutputSize, "at least 2 classes for a softmax cross-entropy");
        EncoderSpec.Require(ClassWeights is null || ClassWeights.Length == OutputSize, nameof(ClassWeights), ClassWeights?.Length ?? 0, $"one weight per class ({OutputSize})");
        EncoderSpec.Require(double.IsFinite(HuberDelta) && HuberDelta > 0, nameof(HuberDelta), HuberDelta, "positive");
    }

    /// <summary>Value equality that compares the class weights' values, not their arrays.</summary>
    public bool Equals(PooledHeadSpec? other) =>
        other is not null && base.Equals(other) && Pooling == other.Pooling && OutputSize == other.OutputSize && Loss == other.Loss
        && HuberDelta.Equals(other.HuberDelta) && (ClassWeights ?? []).AsSpan().SequenceEqual(other.ClassWeights ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Pooling, OutputSize, Loss, HuberDelta);
}
