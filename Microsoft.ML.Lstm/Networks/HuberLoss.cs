using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// PyTorch's Huber loss, averaged over all predictions: with e = p − y,
/// l = ½e² when |e| ≤ δ, else δ(|e| − ½δ); ∂l/∂p = e clipped to [−δ, δ].
/// </summary>
internal sealed class HuberLoss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T delta;

    /// <summary>A Huber loss that turns linear beyond <paramref name="delta"/>.</summary>
    public HuberLoss(T delta)
    {
        if (!(delta > T.Zero))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber delta must be positive.");
        this.delta = delta;
    }

    /// <inheritdoc />
    public T Compute(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, Span<T> predictionGradient)
    {
        if (predictions.Length == 0)
            return T.Zero;
        T count = T.CreateChecked(predictions.Length);
        T half = T.CreateChecked(0.5);
        T total = T.Zero;
        for (int i = 0; i < predictions.Length; i++)
        {
            T error = predictions[i] - targets[i];
            T size = T.Abs(error);
            total += size <= delta ? half * error * error : delta * (size - half * delta);
            predictionGradient[i] = T.Clamp(error, -delta, delta) / count;
        }
        return total / count;
    }
}
