namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Continues a prefix of token ids with a next-token language model: a one-directional token encoder under a
/// per-step softmax head whose class k is token k (or a one-directional adaptive <see cref="LanguageModelHead{T}"/>, whose
/// log-probabilities a softmax maps as it maps logits). The prefix is fed once, then each new token one step at a time
/// through <see cref="EncoderStepper{T}"/>, so nothing is recomputed: generating n tokens costs n steps.
/// Not thread-safe; give each thread its own generator (over its own copy of the network).
/// </summary>
internal sealed class TokenGenerator
{
    private readonly SequenceNetwork<float> network;
    private readonly EncoderStepper<float> stepper;
    private readonly int vocabulary;
    private float[] logits = Array.Empty<float>();
    private float[] probabilities = Array.Empty<float>();
    private int[] order = Array.Empty<int>();
    private readonly int[] lastToken = new int[1];

    /// <summary>A generator over <paramref name="network"/>, which it alone runs while generating.</summary>
    public TokenGenerator(SequenceNetwork<float> network)
    {
        int classes = network.Spec.Head switch
        {
            StepSoftmaxHeadSpec step => step.ClassCount,
            LanguageModelHeadSpec { Bidirectional: false } languageModel => languageModel.OutputSize,
            _ => -1,
        };
        if (network.Spec.Encoder.Input != SequenceInputKind.Tokens || classes < 0)
            throw new ArgumentException("Generation needs a language model: token ids in, a per-step softmax over the tokens out.", nameof(network));
        if (classes != network.Spec.Encoder.VocabularySize)
            throw new ArgumentException($"The head predicts {classes} classes, but the encoder reads {network.Spec.Encoder.VocabularySize} tokens: a language model predicts the next token.", nameof(network));
        this.network = network;
        stepper = new EncoderStepper<float>(network.Encoder, sequences: 1);
        vocabulary = classes;
    }

    /// <summary>The tokens that follow <paramref name="prefix"/> (at least one token), up to <see cref="GenerationOptions.MaxTokens"/> or a stop token.</summary>
    public int[] Generate(ReadOnlySpan<int> prefix, GenerationOptions options)
    {
        options.Validate();
        if (prefix.IsEmpty)
            throw new ArgumentException("Generation needs a prefix of at least one token.", nameof(prefix));
        foreach (int token in prefix)
        {
            if ((uint)token >= (uint)vocabulary)
                throw new ArgumentOutOfRangeException(nameof(prefix), token, $"Token {token} is outside the model's vocabulary [0, {vocabulary}).");
        }
        var random = new Random(options.Seed);
        var generated = new List<int>(options.MaxTokens);
        stepper.Reset();
        ReadOnlySpan<float> last = NextLogits(prefix);
        while (generated.Count < options.MaxTokens)
        {
            int next = Choose(last, options, random);
            generated.Add(next);
            if (options.StopTokens.Contains(next))
                break;
            lastToken[0] = next;
            last = NextLogits(lastToken);
        }
        return [.. generated];
    }

    /// <summary>Feeds <paramref name="tokens"/> and returns the logits after the last of them [V].</summary>
    private ReadOnlySpan<float> NextLogits(ReadOnlySpan<int> tokens)
    {
        EncodedBatch<float> encoded = stepper.Step(tokens, tokens.Length);
        Span<float> all = Workspace.Ensure(ref logits, network.Head.PredictionCount(tokens.Length));
        network.Head.Predict(encoded, all);
        return all.Slice((tokens.Length - 1) * vocabulary, vocabulary);
    }

    /// <summary>The most probable token at temperature 0; otherwise a draw from the tempered softmax cut to top-k and top-p.</summary>
    private int Choose(ReadOnlySpan<float> scores, GenerationOptions options, Random random)
    {
        Span<float> p = Workspace.Ensure(ref probabilities, vocabulary);
        if (options.ExcludedTokens.Count > 0)
        {
            scores.CopyTo(p);
            foreach (int token in options.ExcludedTokens)
            {
                if ((uint)token < (uint)vocabulary)
                    p[token] = float.NegativeInfinity;
            }
            scores = p;
        }
        if (options.Temperature == 0)
            return Classification.ArgMax(scores);
        float inverse = (float)(1 / options.Temperature);
        for (int k = 0; k < vocabulary; k++)
            p[k] = scores[k] * inverse;
        SoftmaxCrossEntropyLoss<float>.Softmax(p, p);

        if (options.TopK == 0 && options.TopP >= 1)
        {
            // The whole distribution: one draw over the tokens in order, no ranking needed.
            double remaining = random.NextDouble();
            for (int k = 0; k < vocabulary - 1; k++)
            {
                remaining -= p[k];
                if (remaining < 0)
                    return k;
            }
            return LastWithMass(p);
        }

        // Most probable first; ties keep the lower token first, so a seed gives one answer.
        Span<int> ranked = Workspace.Ensure(ref order, vocabulary);
        for (int k = 0; k < vocabulary; k++)
            ranked[k] = k;
        float[] weights = probabilities;
        ranked.Sort((a, b) => weights[b] != weights[a] ? weights[b].CompareTo(weights[a]) : a.CompareTo(b));
        int kept = options.TopK > 0 ? Math.Min(options.TopK, vocabulary) : vocabulary;
        double mass = 0;
        for (int i = 0; i < kept; i++)
        {
            mass += p[ranked[i]];
            if (mass >= options.TopP)
            {
                kept = i + 1;
                break;
            }
        }
        double total = 0;
        for (int i = 0; i < kept; i++)
            total += p[ranked[i]];
        double draw = random.NextDouble() * total;
        for (int i = 0; i < kept - 1; i++)
        {
            draw -= p[ranked[i]];
            if (draw < 0)
                return ranked[i];
        }
        return ranked[kept - 1];
    }

    /// <summary>The last token with any probability: where a draw lands when rounding leaves it past the other tokens' mass.</summary>
    private static int LastWithMass(ReadOnlySpan<float> probabilities)
    {
        for (int k = probabilities.Length - 1; k > 0; k--)
        {
            if (probabilities[k] > 0)
                return k;
        }
        return 0;
    }
}
