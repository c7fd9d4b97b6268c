namespace Microsoft.ML.Lstm.Networks;

/// <summary>How the steps of a sequence become one vector.</summary>
internal enum PoolingMode
{
    /// <summary>The final state: the last step of a forward direction, the first step of a backward one.</summary>
    LastState,

    /// <summary>The mean over the sequence's steps.</summary>
    Mean,

    /// <summary>The maximum of each feature over the steps.</summary>
    Max,

    /// <summary>Additive (Bahdanau) attention: a learned softmax weighting of the steps.</summary>
    Attention,
}
