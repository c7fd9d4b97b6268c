using System.Numerics;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Binary cross-entropy on logits, one logit and one 0/1 target per row, in the stable form
/// l = max(x, 0) − x·y + log(1 + e^(−|x|)); ∂l/∂x = σ(x) − y. Averaged over rows.
/// </summary>
internal sealed class SigmoidBinaryCrossEntropyLoss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Compute(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, Span<T> predictionGradient)
    {
        int rows = predictions.Length;
        T total = T.Zero;
        T count = T.CreateChecked(rows);
        for (int r = 0; r < rows; r++)
        {
            T x = predictions[r], y = targets[r];
            total += T.Max(x, T.Zero) - x * y + T.LogP1(T.Exp(-T.Abs(x)));
            predictionGradient[r] = (Activations.Sigmoid(x) - y) / count;
        }
        return rows == 0 ? T.Zero : total / count;
    }
}
