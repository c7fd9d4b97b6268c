using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Stochastic gradient descent with momentum and weight decay, as PyTorch's torch.optim.SGD:
/// g ← g + λp; b ← μb + g (b = g at the first step); p ← p − lr·b.
/// </summary>
internal sealed class SgdOptimizer<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double momentum, weightDecay;

    /// <summary>Creates the optimizer for <paramref name="parameterCount"/> parameters.</summary>
    public SgdOptimizer(int parameterCount, double learningRate, double momentum = 0.9, double weightDecay = 0)
    {
        LearningRate = learningRate;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        Velocity = new T[parameterCount];
    }

    /// <inheritdoc />
    public double LearningRate { get; set; }

    /// <summary>b, the momentum buffer.</summary>
    public T[] Velocity { get; }

    /// <inheritdoc />
    public int StepCount { get; set; }

    /// <inheritdoc />
    public IReadOnlyList<T[]> State => [Velocity];

    /// <inheritdoc />
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        T mu = StepCount > 0 ? T.CreateChecked(momentum) : T.Zero;
        T lambda = T.CreateChecked(weightDecay), lr = T.CreateChecked(LearningRate);
        Span<T> velocity = Velocity;
        for (int i = 0; i < parameters.Length; i++)
        {
            T g = gradients[i] + lambda * parameters[i];
            velocity[i] = mu * velocity[i] + g;
            parameters[i] -= lr * velocity[i];
        }
        StepCount++;
    }
}
