namespace Microsoft.ML.Lstm.Networks;

/// <summary>What a network reads at each step.</summary>
internal enum SequenceInputKind
{
    /// <summary>A token id, looked up in an embedding table.</summary>
    Tokens,

    /// <summary>A vector of numbers.</summary>
    Features,
}
