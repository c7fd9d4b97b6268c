using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>Mean over all predictions of (p − y)²; ∂/∂p = 2(p − y)/count.</summary>
internal sealed class MeanSquaredErrorLoss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Compute(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, Span<T> predictionGradient)
    {
        if (predictions.Length == 0)
            return T.Zero;
        T count = T.CreateChecked(predictions.Length);
        T two = T.CreateChecked(2);
        T total = T.Zero;
        for (int i = 0; i < predictions.Length; i++)
        {
            T error = predictions[i] - targets[i];
            total += error * error;
            predictionGradient[i] = two * error / count;
        }
        return total / count;
    }
}
