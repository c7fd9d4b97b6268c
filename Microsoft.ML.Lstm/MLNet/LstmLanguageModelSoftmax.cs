namespace Microsoft.ML.Lstm;

/// <summary>
/// The output layer with which <c>FeaturizeByLstm</c>'s language model predicts a token over the vocabulary. Both give
/// exact, normalized probabilities, so perplexity and generation are exact either way; they differ in how much a
/// training step costs at a large vocabulary.
/// </summary>
public enum LstmLanguageModelSoftmax
{
    /// <summary>
    /// A full softmax below <see cref="LstmFeaturizingEstimator.Options.AutomaticAdaptiveVocabulary"/> tokens (characters,
    /// small vocabularies), an adaptive softmax from there on (word vocabularies).
    /// </summary>
    Automatic = 0,

    /// <summary>A dense layer over every token and a softmax: per token H·V multiply-adds each way.</summary>
    Full = 1,

    /// <summary>
    /// An adaptive softmax (Grave et al., 2017; PyTorch's <c>nn.AdaptiveLogSoftmaxWithLoss</c>): a softmax over the most
    /// frequent tokens and one entry per cluster of rarer ones, and per cluster a smaller softmax through a narrower
    /// projection. Training pays for a token's cluster only when the token is in it.
    /// </summary>
    Adaptive = 2,
}
