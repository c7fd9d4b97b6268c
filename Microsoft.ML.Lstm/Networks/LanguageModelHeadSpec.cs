using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A <see cref="LanguageModelHead{T}"/>: a next-token softmax over <see cref="ClassCount"/> tokens on the forward
/// direction's features and, when <see cref="Bidirectional"/>, a previous-token softmax on the backward direction's
/// (a forward and a backward language model over one encoder, as ELMo). Its targets come from the batch's own tokens.
/// </summary>
internal sealed record LanguageModelHeadSpec : HeadSpec
{
    /// <summary>Tokens the softmax ranges over (the encoder's vocabulary).</summary>
    public required int ClassCount { get; init; }

    /// <summary>Whether the encoder is bidirectional (its features are [forward | backward] halves) and a backward model is trained on the second half.</summary>
    public bool Bidirectional { get; init; }

    /// <inheritdoc />
    public override ISequenceHead<T> Create<T>(ParameterStore<T> store, EncoderSpec encoder, Random? random) =>
        new LanguageModelHead<T>(this, store, encoder, random);

    /// <inheritdoc />
    public override long ParameterCount(EncoderSpec encoder) => (Bidirectional ? 2L : 1L) * ((long)encoder.HiddenSize * ClassCount + ClassCount);

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        EncoderSpec.Require(ClassCount is >= 2 and <= StepSoftmaxHeadSpec.MaxClassCount, nameof(ClassCount), ClassCount, $"in [2, {StepSoftmaxHeadSpec.MaxClassCount}]");
    }

    /// <summary>Throws unless <paramref name="encoder"/> is one this head can sit on: token ids of its vocabulary, and directions that do not see the token they predict.</summary>
    public void CheckFits(EncoderSpec encoder)
    {
        if (encoder.Input != SequenceInputKind.Tokens || encoder.VocabularySize != ClassCount)
            throw new ArgumentException($"A language model predicts the tokens it reads: its encoder must read {ClassCount} token ids.", nameof(encoder));
        if (encoder.Bidirectional != Bidirectional)
            throw new ArgumentException($"The head is {(Bidirectional ? "bi" : "uni")}directional; the encoder is {(encoder.Bidirectional ? "bi" : "uni")}directional.", nameof(encoder));
        // A second bidirectional layer reads the first layer's backward states, which have seen the next token,
        // and merging the directions mixes them: either would let the forward model see what it predicts.
        if (Bidirectional && (encoder.LayerCount != 1 || encoder.Merge != MergeMode.Concat))
            throw new ArgumentException("A bidirectional language model needs one recurrent layer with concatenated directions.", nameof(encoder));
        if (encoder.ReadsCharacters || encoder.ExtraFeaturesPerStep > 0)
            throw new ArgumentException("A language model reads token ids alone.", nameof(encoder));
    }
}
