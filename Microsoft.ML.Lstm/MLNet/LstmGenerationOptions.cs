namespace Microsoft.ML.Lstm;

/// <summary>How <see cref="LstmFeaturizingTransformer.Generate(IEnumerable{string}, LstmGenerationOptions?)"/> continues a prefix.</summary>
public sealed class LstmGenerationOptions
{
    /// <summary>Most tokens generated after the prefix. Default: 50.</summary>
    public int MaxTokens = 50;

    /// <summary>Divides the scores before the softmax: below 1 sharper, above 1 more varied; 0 always takes the most probable token (greedy). Default: 1.</summary>
    public double Temperature = 1.0;

    /// <summary>Draws among the K most probable tokens only; 0 for all. Default: 0.</summary>
    public int TopK;

    /// <summary>Draws among the most probable tokens whose probabilities add up to P (nucleus sampling), in (0, 1]; 1 for all. Default: 1.</summary>
    public double TopP = 1.0;

    /// <summary>Seeds the draws: the same seed and prefix give the same continuation. Default: 0.</summary>
    public int Seed;

    /// <summary>Token values (as <c>MapValueToKey</c> keeps them, e.g. "." or "\n") that end the continuation when generated; the stop token is included. Default: none.</summary>
    public string[]? StopTokens;

    /// <summary>Keys (1-based, as in the token column) that end the continuation when generated. Default: none.</summary>
    public uint[]? StopKeys;
}
