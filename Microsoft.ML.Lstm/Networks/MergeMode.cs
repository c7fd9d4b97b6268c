namespace Microsoft.ML.Lstm.Networks;

/// <summary>How a bidirectional layer combines its two directions at each step.</summary>
internal enum MergeMode
{
    /// <summary>[forward | backward], twice the hidden size.</summary>
    Concat,

    /// <summary>forward + backward.</summary>
    Sum,

    /// <summary>(forward + backward) / 2.</summary>
    Mean,
}
