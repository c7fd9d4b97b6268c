using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A <see cref="LanguageModelHead{T}"/>: on the forward direction's features, the next step (a softmax over the tokens,
/// or a regression of a float step's values) and, when <see cref="Bidirectional"/>, the previous step on the backward
/// direction's (a forward and a backward model over one encoder, as ELMo). Its targets come from the batch's own steps.
/// </summary>
internal sealed record LanguageModelHeadSpec : HeadSpec
{
    /// <summary>Outputs per step and direction: the encoder's vocabulary (a softmax over the tokens) or the values of a float step (a regression).</summary>
    public required int OutputSize { get; init; }

    /// <summary>Whether the encoder is bidirectional (its features are [forward | backward] halves) and a backward model is trained on the second half.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>
    /// Empty for a full softmax over the tokens (the default); otherwise an <see cref="AdaptiveSoftmax{T}"/>'s cutoffs in
    /// frequency ranks: the shortlist's size, then where each tail cluster after the first begins (strictly increasing,
    /// in [1, <see cref="OutputSize"/>)). Tokens only.
    /// </summary>
    public int[] Cutoffs { get; init; } = [];

    /// <summary>With <see cref="Cutoffs"/>: the token ids from most to least frequent (a permutation of [0, <see cref="OutputSize"/>)), or null when the ids are already in that order.</summary>
    public int[]? TokenRanking { get; init; }

    /// <summary>Whether the softmax is adaptive (<see cref="Cutoffs"/> given).</summary>
    public bool IsAdaptive => Cutoffs.Length > 0;

    /// <summary>The most tail clusters an adaptive softmax may have.</summary>
    public const int MaxTailClusters = 8;

    /// <summary>Equal when every size and setting is, the cutoffs and ranking compared by value.</summary>
    public bool Equals(LanguageModelHeadSpec? other) =>
        other is not null && base.Equals(other) && OutputSize == other.OutputSize && Bidirectional == other.Bidirectional
        && Cutoffs.AsSpan().SequenceEqual(other.Cutoffs) && (TokenRanking is null) == (other.TokenRanking is null)
        && (TokenRanking ?? []).AsSpan().SequenceEqual(other.TokenRanking ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), OutputSize, Bidirectional, Cutoffs.Length);

    /// <inheritdoc />
    public override ISequenceHead<T> Create<T>(ParameterStore<T> store, EncoderSpec encoder, Random? random) =>
        new LanguageModelHead<T>(this, store, encoder, random);

    /// <inheritdoc />
    public override long ParameterCount(EncoderSpec encoder) => (Bidirectional ? 2L : 1L) * (IsAdaptive
        ? AdaptiveSoftmax<float>.ParameterCount(encoder.HiddenSize, OutputSize, Cutoffs)
        : (long)encoder.HiddenSize * OutputSize + OutputSize);

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        EncoderSpec.Require(OutputSize is >= 1 and <= StepSoftmaxHeadSpec.MaxClassCount, nameof(OutputSize), OutputSize, $"in [1, {StepSoftmaxHeadSpec.MaxClassCount}]");
        EncoderSpec.Require(Cutoffs is not null && Cutoffs.Length <= MaxTailClusters, nameof(Cutoffs), Cutoffs?.Length ?? -1, $"at most {MaxTailClusters} values");
        for (int i = 0; i < Cutoffs!.Length; i++)
        {
            int low = i == 0 ? 1 : Cutoffs[i - 1] + 1;
            EncoderSpec.Require(Cutoffs[i] >= low && Cutoffs[i] < OutputSize, nameof(Cutoffs), Cutoffs[i], $"strictly increasing in [1, {OutputSize}) (value {i})");
        }
        if (TokenRanking is null)
            return;
        EncoderSpec.Require(IsAdaptive, nameof(TokenRanking), TokenRanking.Length, "given only with Cutoffs");
        EncoderSpec.Require(TokenRanking.Length == OutputSize, nameof(TokenRanking), TokenRanking.Length, $"{OutputSize} token ids long");
        var seen = new bool[OutputSize];
        foreach (int token in TokenRanking)
        {
            EncoderSpec.Require((uint)token < (uint)OutputSize && !seen[token], nameof(TokenRanking), token, $"a permutation of [0, {OutputSize})");
            seen[token] = true;
        }
    }

    /// <inheritdoc />
    public override void ValidateWith(EncoderSpec encoder) => CheckFits(encoder);

    /// <summary>Throws unless <paramref name="encoder"/> is one this head can sit on: steps it predicts, and directions that do not see the step they predict.</summary>
    public void CheckFits(EncoderSpec encoder)
    {
        bool fits = encoder.Input == SequenceInputKind.Tokens
            ? encoder.VocabularySize == OutputSize && OutputSize >= 2
            : encoder.FeaturesPerStep == OutputSize;
        if (!fits)
            throw new ArgumentException($"A language model predicts the steps it reads: its encoder must read {OutputSize} {(encoder.Input == SequenceInputKind.Tokens ? "token ids (at least 2)" : "values per step")}.", nameof(encoder));
        if (encoder.Bidirectional != Bidirectional)
            throw new ArgumentException($"The head is {(Bidirectional ? "bi" : "uni")}directional; the encoder is {(encoder.Bidirectional ? "bi" : "uni")}directional.", nameof(encoder));
        // A second bidirectional layer reads the first layer's backward states, which have seen the next token,
        // and merging the directions mixes them: either would let the forward model see what it predicts.
        if (Bidirectional && (encoder.LayerCount != 1 || encoder.Merge != MergeMode.Concat))
            throw new ArgumentException("A bidirectional language model needs one recurrent layer with concatenated directions.", nameof(encoder));
        if (IsAdaptive && encoder.Input != SequenceInputKind.Tokens)
            throw new ArgumentException("An adaptive softmax is over tokens: a language model of float steps predicts them by regression.", nameof(encoder));
        if (encoder.ReadsCharacters || encoder.ExtraFeaturesPerStep > 0)
            throw new ArgumentException("A language model reads its steps alone.", nameof(encoder));
    }
}
