namespace Microsoft.ML.Lstm.Networks;

/// <summary>How <see cref="TokenGenerator"/> continues a prefix.</summary>
internal sealed record GenerationOptions
{
    /// <summary>Most tokens generated after the prefix.</summary>
    public int MaxTokens { get; init; } = 50;

    /// <summary>Divides the logits before the softmax; 0 always takes the most probable token (greedy).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Samples among the K most probable tokens only; 0 for all.</summary>
    public int TopK { get; init; }

    /// <summary>Samples among the most probable tokens whose probabilities add up to P (nucleus sampling); 1 for all.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Seeds the sampling, so a seed gives the same continuation.</summary>
    public int Seed { get; init; }

    /// <summary>Tokens that end the continuation (included in it) when generated.</summary>
    public IReadOnlyCollection<int> StopTokens { get; init; } = [];

    /// <summary>Tokens never generated (e.g. the unknown token); at least one token must remain.</summary>
    public IReadOnlyCollection<int> ExcludedTokens { get; init; } = [];

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        EncoderSpec.Require(MaxTokens >= 0, nameof(MaxTokens), MaxTokens, "0 or more");
        EncoderSpec.Require(double.IsFinite(Temperature) && Temperature >= 0, nameof(Temperature), Temperature, "0 (greedy) or more");
        EncoderSpec.Require(TopK >= 0, nameof(TopK), TopK, "0 (all) or more");
        EncoderSpec.Require(TopP is > 0 and <= 1, nameof(TopP), TopP, "in (0, 1]");
    }
}
