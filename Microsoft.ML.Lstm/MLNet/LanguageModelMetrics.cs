namespace Microsoft.ML.Lstm;

/// <summary>
/// How well a featurizer's (forward) language model predicts held-out sequences
/// (<see cref="LstmFeaturizingTransformer.EvaluateLanguageModel"/>): each token after the first of every row is
/// predicted from the tokens before it.
/// </summary>
public sealed class LanguageModelMetrics
{
    internal LanguageModelMetrics(double crossEntropy, long tokenCount)
    {
        CrossEntropy = crossEntropy;
        TokenCount = tokenCount;
    }

    /// <summary>Mean −ln p(token | tokens before it), in nats per predicted token.</summary>
    public double CrossEntropy { get; }

    /// <summary>exp(<see cref="CrossEntropy"/>): as uncertain as a uniform choice among this many tokens.</summary>
    public double Perplexity => Math.Exp(CrossEntropy);

    /// <summary><see cref="CrossEntropy"/> in bits (÷ ln 2): bits per character for a model over characters.</summary>
    public double BitsPerToken => CrossEntropy / Math.Log(2);

    /// <summary>Tokens predicted: every token of every row but the first.</summary>
    public long TokenCount { get; }
}
