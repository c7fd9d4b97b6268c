namespace Microsoft.ML.Lstm;

/// <summary>How an LSTM trainer turns gradients into weight updates.</summary>
public enum GradientOptimizer
{
    /// <summary>Adam with decoupled weight decay (AdamW): adapts each weight's step; the usual choice.</summary>
    Adam,

    /// <summary>Stochastic gradient descent with momentum.</summary>
    Sgd,
}
