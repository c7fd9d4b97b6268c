namespace Microsoft.ML.Lstm;

/// <summary>How a bidirectional layer combines its forward and backward outputs at each step.</summary>
public enum BidirectionalMergeMode
{
    /// <summary>Side by side: the layer's output has twice the hidden size.</summary>
    Concat,

    /// <summary>Element-wise sum: the output keeps the hidden size.</summary>
    Sum,

    /// <summary>Element-wise mean: the output keeps the hidden size.</summary>
    Mean,
}
