using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Softmax cross-entropy over K logits per row with one class index per row:
/// l = −w_y · log softmax(z)_y, averaged as PyTorch does, Σ l / Σ w_y (w = 1 without class weights).
/// Gradient: ∂l/∂z = w_y (softmax(z) − onehot(y)) / Σ w_y.
/// </summary>
internal sealed class SoftmaxCrossEntropyLoss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int classCount;
    private readonly T[]? classWeights;

    /// <summary>A loss over <paramref name="classCount"/> classes, optionally weighting each class.</summary>
    public SoftmaxCrossEntropyLoss(int classCount, T[]? classWeights = null)
    {
        if (classWeights is not null && classWeights.Length != classCount)
            throw new ArgumentException($"Expected {classCount} class weights, got {classWeights.Length}.", nameof(classWeights));
        this.classCount = classCount;
        this.classWeights = classWeights;
    }

    /// <inheritdoc />
    public T Compute(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, Span<T> predictionGradient)
    {
        int k = classCount;
        int rows = predictions.Length / k;
        T total = T.Zero, weightSum = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            int label = int.CreateTruncating(targets[r]);
            if ((uint)label >= (uint)k)
                throw new ArgumentOutOfRangeException(nameof(targets), targets[r], $"Row {r} has class {targets[r]}, outside [0, {k}).");
            ReadOnlySpan<T> logits = predictions.Slice(r * k, k);
            Span<T> gradient = predictionGradient.Slice(r * k, k);
            Softmax(logits, gradient);
            T weight = classWeights is null ? T.One : classWeights[label];
            total -= weight * T.Log(T.Max(gradient[label], T.Epsilon));
            weightSum += weight;
            gradient[label] -= T.One;
            System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, weight, gradient);
        }
        if (weightSum == T.Zero)
            return T.Zero;
        System.Numerics.Tensors.TensorPrimitives.Divide(predictionGradient.Slice(0, rows * k), weightSum, predictionGradient.Slice(0, rows * k));
        return total / weightSum;
    }

    /// <summary>probabilities = softmax(logits), shifted by the maximum so no exponent overflows.</summary>
    public static void Softmax(ReadOnlySpan<T> logits, Span<T> probabilities)
    {
        T maximum = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        T sum = T.Zero;
        for (int c = 0; c < logits.Length; c++)
        {
            probabilities[c] = T.Exp(logits[c] - maximum);
            sum += probabilities[c];
        }
        System.Numerics.Tensors.TensorPrimitives.Divide(probabilities.Slice(0, logits.Length), sum, probabilities.Slice(0, logits.Length));
    }
}
