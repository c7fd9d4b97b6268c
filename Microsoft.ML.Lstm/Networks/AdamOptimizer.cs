using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Adam with decoupled weight decay (AdamW, as PyTorch's torch.optim.AdamW): at step t,
/// <code>
/// p ← p − lr·λ·p
/// m ← β₁m + (1−β₁)g      v ← β₂v + (1−β₂)g²
/// p ← p − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
/// </code>
/// </summary>
internal sealed class AdamOptimizer<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double beta1, beta2, epsilon, weightDecay;

    /// <summary>Creates the optimizer for <paramref name="parameterCount"/> parameters.</summary>
    public AdamOptimizer(int parameterCount, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
    {
        LearningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        FirstMoment = new T[parameterCount];
        SecondMoment = new T[parameterCount];
    }

    /// <inheritdoc />
    public double LearningRate { get; set; }

    /// <summary>Steps taken (t).</summary>
    public int StepCount { get; set; }

    /// <inheritdoc />
    public IReadOnlyList<T[]> State => [FirstMoment, SecondMoment];

    /// <summary>m, the running mean of gradients.</summary>
    public T[] FirstMoment { get; }

    /// <summary>v, the running mean of squared gradients.</summary>
    public T[] SecondMoment { get; }

    /// <inheritdoc />
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        StepCount++;
        T decay = T.One - T.CreateChecked(LearningRate * weightDecay);
        T b1 = T.CreateChecked(beta1), b2 = T.CreateChecked(beta2);
        T oneMinusB1 = T.One - b1, oneMinusB2 = T.One - b2;
        // The bias corrections fold into the step size and ε: lr·m̂/(√v̂ + ε) = (lr/c₁)·m / (√v/√c₂ + ε).
        T stepSize = T.CreateChecked(LearningRate / (1 - Math.Pow(beta1, StepCount)));
        T rootCorrection = T.CreateChecked(1 / Math.Sqrt(1 - Math.Pow(beta2, StepCount)));
        T eps = T.CreateChecked(epsilon);
        Span<T> m = FirstMoment, v = SecondMoment;
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            // The same operations in the same order as the scalar loop below, a vector of parameters at a time.
            var vb1 = new Vector<T>(b1); var vb2 = new Vector<T>(b2);
            var vOneMinusB1 = new Vector<T>(oneMinusB1); var vOneMinusB2 = new Vector<T>(oneMinusB2);
            var vDecay = new Vector<T>(decay); var vStepSize = new Vector<T>(stepSize);
            var vRootCorrection = new Vector<T>(rootCorrection); var vEps = new Vector<T>(eps);
            for (; i <= parameters.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var g = new Vector<T>(gradients.Slice(i));
                Vector<T> mi = vb1 * new Vector<T>(m.Slice(i)) + vOneMinusB1 * g;
                Vector<T> vi = vb2 * new Vector<T>(v.Slice(i)) + vOneMinusB2 * g * g;
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                (new Vector<T>(parameters.Slice(i)) * vDecay - vStepSize * mi / (Vector.SquareRoot(vi) * vRootCorrection + vEps)).CopyTo(parameters.Slice(i));
            }
        }

        for (; i < parameters.Length; i++)
        {
            T g = gradients[i];
            m[i] = b1 * m[i] + oneMinusB1 * g;
            v[i] = b2 * v[i] + oneMinusB2 * g * g;
            parameters[i] = parameters[i] * decay - stepSize * m[i] / (T.Sqrt(v[i]) * rootCorrection + eps);
        }
    }
}
