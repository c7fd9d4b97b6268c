namespace Microsoft.ML.Lstm;

/// <summary>What the LSTM regression trainer minimises.</summary>
public enum RegressionLossFunction
{
    /// <summary>Squared error: the mean of (prediction − label)².</summary>
    Squared,

    /// <summary>Huber loss: squared error for small errors, absolute error beyond a threshold; robust to outliers.</summary>
    Huber,
}
