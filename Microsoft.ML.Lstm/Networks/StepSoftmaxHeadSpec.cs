using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A <see cref="StepSoftmaxHead{T}"/>: dropout, then a dense layer of <see cref="ClassCount"/> logits at every step,
/// trained with the softmax cross-entropy of one class index per step. A tagger (one tag per token) and a
/// next-token language model (the class of step t is the token of step t + 1) are both this head.
/// </summary>
internal sealed record StepSoftmaxHeadSpec : HeadSpec
{
    /// <summary>Most classes.</summary>
    public const int MaxClassCount = EncoderSpec.MaxVocabularySize;

    /// <summary>Classes per step (K): tags, or the vocabulary of a language model.</summary>
    public required int ClassCount { get; init; }

    /// <inheritdoc />
    public override ISequenceHead<T> Create<T>(ParameterStore<T> store, EncoderSpec encoder, Random? random) =>
        new StepSoftmaxHead<T>(this, store, encoder, random);

    /// <inheritdoc />
    public override long ParameterCount(EncoderSpec encoder) => (long)encoder.OutputSize * ClassCount + ClassCount;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        EncoderSpec.Require(ClassCount is >= 2 and <= MaxClassCount, nameof(ClassCount), ClassCount, $"in [2, {MaxClassCount}]");
    }
}
