using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>A training objective over rows of predictions.</summary>
internal interface ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Returns the mean loss over the rows and writes its gradient with respect to each prediction.
    /// The layout of <paramref name="targets"/> is the loss's own (a class index per row, or a value per prediction).
    /// </summary>
    T Compute(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, Span<T> predictionGradient);
}
