namespace Microsoft.ML.Lstm.Networks;

/// <summary>How gradients become weight updates.</summary>
internal enum OptimizerKind
{
    /// <summary>Adam with decoupled weight decay (AdamW).</summary>
    Adam,

    /// <summary>Stochastic gradient descent with momentum.</summary>
    Sgd,
}
