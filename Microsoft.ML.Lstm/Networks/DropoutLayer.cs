using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Inverted dropout: in training each value is kept with probability 1 − rate and scaled by 1/(1 − rate),
/// so inference is the identity. The mask of the last training forward pass is kept for backward.
/// </summary>
internal sealed class DropoutLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double rate;
    private readonly Random random;
    private T[] mask = Array.Empty<T>();
    private bool masked;

    /// <summary>Drops a fraction <paramref name="rate"/> of values, drawing masks from <paramref name="random"/>.</summary>
    public DropoutLayer(double rate, Random random)
    {
        if (rate is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1).");
        this.rate = rate;
        this.random = random;
    }

    /// <summary>output = input ⊙ mask in training (with rate &gt; 0), else a copy of input.</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output, bool training)
    {
        masked = training && rate > 0;
        if (!masked)
        {
            input.CopyTo(output);
            return;
        }
        Span<T> keep = Workspace.Ensure(ref mask, input.Length);
        T scale = T.CreateChecked(1.0 / (1.0 - rate));
        for (int i = 0; i < keep.Length; i++)
            keep[i] = random.NextDouble() >= rate ? scale : T.Zero;
        System.Numerics.Tensors.TensorPrimitives.Multiply(input, keep, output);
    }

    /// <summary>inputGradient = outputGradient ⊙ mask of the last forward pass.</summary>
    public void Backward(ReadOnlySpan<T> outputGradient, Span<T> inputGradient)
    {
        if (!masked)
        {
            outputGradient.CopyTo(inputGradient);
            return;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(outputGradient, mask.AsSpan(0, outputGradient.Length), inputGradient);
    }
}
