namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Word dropout for training a token embedding's unknown row: in each training batch, every occurrence of a token
/// marked <see cref="Replaceable"/> is read as <see cref="UnknownToken"/> with probability <see cref="Probability"/>,
/// drawn afresh each time. Without it the unknown token (every word the training data did not hold) keeps its random
/// initial vector, which the network never learned to read; with the rare training words standing in for it now and
/// then, it learns what an unseen word looks like in context. Lample et al. (2016) replace singletons with p = 0.5.
/// Validation and scoring read every token as it is.
/// </summary>
/// <param name="UnknownToken">The token id that stands for words unseen in training.</param>
/// <param name="Probability">The chance that one occurrence of a replaceable token is replaced, in [0, 1].</param>
/// <param name="Replaceable">Which token ids may be replaced [vocabulary size] (e.g. those seen once in training).</param>
internal sealed record TokenDropout(int UnknownToken, double Probability, bool[] Replaceable)
{
    /// <summary>Throws unless the dropout fits an embedding of <paramref name="vocabularySize"/> token ids.</summary>
    public void Validate(int vocabularySize)
    {
        EncoderSpec.Require(UnknownToken >= 0 && UnknownToken < vocabularySize, nameof(UnknownToken), UnknownToken, $"a token id below {vocabularySize}");
        EncoderSpec.Require(Probability is >= 0 and <= 1, nameof(Probability), Probability, "in [0, 1]");
        EncoderSpec.Require(Replaceable.Length == vocabularySize, nameof(Replaceable), Replaceable.Length, $"one flag per token id ({vocabularySize})");
    }

    /// <summary>
    /// Word dropout of the tokens that occur exactly once in <paramref name="examples"/> (the unknown token, the last id of
    /// <paramref name="vocabularySize"/>, never), each read as unknown with <paramref name="probability"/>; null when no
    /// token occurs once or the probability is 0.
    /// </summary>
    public static TokenDropout? OfSingletons(int vocabularySize, double probability, IReadOnlyList<SequenceExample> examples)
    {
        if (probability <= 0)
            return null;
        var counts = new int[vocabularySize];
        foreach (SequenceExample example in examples)
        {
            foreach (int token in example.Tokens!)
                counts[token] = counts[token] < 2 ? counts[token] + 1 : 2;
        }
        counts[vocabularySize - 1] = 0;
        var singletons = new bool[vocabularySize];
        bool any = false;
        for (int token = 0; token < vocabularySize; token++)
        {
            singletons[token] = counts[token] == 1;
            any |= singletons[token];
        }
        return any ? new TokenDropout(vocabularySize - 1, probability, singletons) : null;
    }

    /// <summary>Replaces the replaceable tokens of <paramref name="tokens"/> in place, each with probability <see cref="Probability"/>.</summary>
    public void Apply(Span<int> tokens, Random random)
    {
        for (int i = 0; i < tokens.Length; i++)
        {
            if (Replaceable[tokens[i]] && random.NextDouble() < Probability)
                tokens[i] = UnknownToken;
        }
    }
}
