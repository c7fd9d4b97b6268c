using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Turns each sequence's steps [N, D] (packed) into one vector per sequence [B, D] (sorted order):
/// <list type="bullet">
/// <item><see cref="PoolingMode.LastState"/>: h at t = len−1; with two directions ([forward | backward]
/// halves) the backward half is taken at t = 0, where that direction finished.</item>
/// <item><see cref="PoolingMode.Mean"/>: (1/len) Σ_t h_t.</item>
/// <item><see cref="PoolingMode.Max"/>: max_t h_t per feature; the gradient goes to the first maximum.</item>
/// <item><see cref="PoolingMode.Attention"/>: u_t = tanh(W h_t + b), e_t = vᵀu_t, α = softmax_t(e),
/// out = Σ_t α_t h_t, with W [A, D], b [A], v [A] and A = D.</item>
/// </list>
/// </summary>
internal sealed class SequencePooling<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PoolingMode mode;
    private readonly int features;
    private readonly int directions;
    private readonly ParameterStore<T>? store;
    private readonly ParameterView? attentionWeight, attentionBias, attentionVector;
    private readonly int attentionSize;
    private int[] argMax = Array.Empty<int>();       // [B, D] packed row of each maximum
    private T[] attentionHidden = Array.Empty<T>();  // u [N, A]
    private T[] attentionWeights = Array.Empty<T>(); // α [N]
    private T[] scoreGradient = Array.Empty<T>();    // ∂e [N]
    private T[] hiddenGradient = Array.Empty<T>();   // ∂(W h + b) [N, A]

    /// <summary>Creates the pooling; <paramref name="store"/> receives attention's parameters (<c>{name}.weight</c>, <c>.bias</c>, <c>.vector</c>).</summary>
    public SequencePooling(PoolingMode mode, int featureSize, int directions, ParameterStore<T>? store, string name, Random? random)
    {
        if (directions is not (1 or 2) || featureSize % directions != 0)
            throw new ArgumentException($"Pooling needs 1 or 2 directions dividing the {featureSize} features; got {directions}.", nameof(directions));
        this.mode = mode;
        features = featureSize;
        this.directions = directions;
        if (mode == PoolingMode.Attention)
        {
            this.store = store ?? throw new ArgumentNullException(nameof(store), "Attention pooling has parameters and needs a store.");
            attentionSize = featureSize;
            attentionWeight = store.Add(name + ".weight", attentionSize, featureSize);
            attentionBias = store.Add(name + ".bias", attentionSize);
            attentionVector = store.Add(name + ".vector", attentionSize);
            if (random is not null)
            {
                Initialization.XavierUniform(store.Value(attentionWeight), featureSize, attentionSize, random);
                Initialization.XavierUniform(store.Value(attentionVector), attentionSize, 1, random);
            }
        }
    }

    /// <summary>Features per pooled vector (D).</summary>
    public int OutputSize => features;

    /// <summary>Pools packed rows [N, D] into output [B, D] in sorted order.</summary>
    public void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output)
    {
        int d = features;
        switch (mode)
        {
            case PoolingMode.LastState:
                int half = d / directions;
                for (int s = 0; s < layout.SequenceCount; s++)
                {
                    input.Slice(layout.Row(layout.Lengths[s] - 1, s) * d, half).CopyTo(output.Slice(s * d, half));
                    if (directions == 2)
                        input.Slice(layout.Row(0, s) * d + half, half).CopyTo(output.Slice(s * d + half, half));
                }
                break;
            case PoolingMode.Mean:
                for (int s = 0; s < layout.SequenceCount; s++)
                {
                    Span<T> sum = output.Slice(s * d, d);
                    sum.Clear();
                    for (int t = 0; t < layout.Lengths[s]; t++)
                        VectorMath.Add(input.Slice(layout.Row(t, s) * d, d), sum);
                    System.Numerics.Tensors.TensorPrimitives.Multiply(sum, T.One / T.CreateChecked(layout.Lengths[s]), sum);
                }
                break;
            case PoolingMode.Max:
                MaxForward(layout, input, output, Workspace.Ensure(ref argMax, layout.SequenceCount * d));
                break;
            case PoolingMode.Attention:
                AttentionForward(layout, input, output);
                break;
        }
    }

    /// <summary>
    /// Max pooling into <paramref name="output"/>, and each maximum's packed row into <paramref name="best"/>: a sequence's
    /// first step is copied, then each later step, a whole contiguous row at a time, replaces the maxima it is strictly
    /// greater than. So the first of equal maxima is kept, and a NaN neither replaces a value nor is replaced: the same
    /// values and rows as comparing each step with the best so far feature by feature (which read the steps' rows a
    /// feature at a time, strided, and took 15 % of scoring a UCI sentence on Zen 5).
    /// </summary>
    private void MaxForward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, Span<int> best)
    {
        int d = features;
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            Span<T> maxima = output.Slice(s * d, d);
            Span<int> rows = best.Slice(s * d, d);
            int first = layout.Row(0, s);
            input.Slice(first * d, d).CopyTo(maxima);
            rows.Fill(first);
            for (int t = 1; t < layout.Lengths[s]; t++)
            {
                int row = layout.Row(t, s);
                ReadOnlySpan<T> step = input.Slice(row * d, d);
                int f = typeof(T) == typeof(float) && Vector.IsHardwareAccelerated
                    ? MaxStep(MemoryMarshal.Cast<T, float>(step), MemoryMarshal.Cast<T, float>(maxima), rows, row)
                    : 0;
                for (; f < d; f++)
                {
                    if (step[f] > maxima[f])
                    {
                        maxima[f] = step[f];
                        rows[f] = row;
                    }
                }
            }
        }
    }

    /// <summary>
    /// One step of <see cref="MaxForward"/> over whole vectors of floats; returns the features it covered. Compiled
    /// optimized from its first call, like the gate kernels: unoptimized, each vector operation is a call, and a service's
    /// first seconds of scoring ran it so (`benchmarks/RESULTS.md`, "Transform scores rows in batches").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int MaxStep(ReadOnlySpan<float> step, Span<float> maxima, Span<int> rows, int row)
    {
        int w = Vector<float>.Count, f = 0;
        var rowVector = new Vector<int>(row);
        for (; f <= step.Length - w; f += w)
        {
            var value = new Vector<float>(step.Slice(f));
            var current = new Vector<float>(maxima.Slice(f));
            Vector<int> greater = Vector.GreaterThan(value, current);
            Vector.ConditionalSelect(greater, value, current).CopyTo(maxima.Slice(f));
            Vector.ConditionalSelect(greater, rowVector, new Vector<int>(rows.Slice(f))).CopyTo(rows.Slice(f));
        }
        return f;
    }

    /// <summary>Writes ∂input [N, D] from ∂output [B, D]; accumulates attention's parameter gradients.</summary>
    public void Backward(PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient)
    {
        int d = features;
        inputGradient.Slice(0, layout.TotalSteps * d).Clear();
        switch (mode)
        {
            case PoolingMode.LastState:
                int half = d / directions;
                for (int s = 0; s < layout.SequenceCount; s++)
                {
                    outputGradient.Slice(s * d, half).CopyTo(inputGradient.Slice(layout.Row(layout.Lengths[s] - 1, s) * d, half));
                    if (directions == 2)
                        outputGradient.Slice(s * d + half, half).CopyTo(inputGradient.Slice(layout.Row(0, s) * d + half, half));
                }
                break;
            case PoolingMode.Mean:
                for (int s = 0; s < layout.SequenceCount; s++)
                {
                    T scale = T.One / T.CreateChecked(layout.Lengths[s]);
                    for (int t = 0; t < layout.Lengths[s]; t++)
                        System.Numerics.Tensors.TensorPrimitives.Multiply(outputGradient.Slice(s * d, d), scale, inputGradient.Slice(layout.Row(t, s) * d, d));
                }
                break;
            case PoolingMode.Max:
                for (int i = 0; i < layout.SequenceCount * d; i++)
                    inputGradient[argMax[i] * d + i % d] += outputGradient[i];
                break;
            case PoolingMode.Attention:
                AttentionBackward(layout, input, outputGradient, inputGradient);
                break;
        }
    }

    private void AttentionForward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output)
    {
        int n = layout.TotalSteps, d = features, a = attentionSize;
        ParameterStore<T> parameters = store!;
        Span<T> u = Workspace.Ensure(ref attentionHidden, n * a);
        Span<T> alpha = Workspace.Ensure(ref attentionWeights, n);
        VectorMath.BroadcastRows<T>(parameters.Value(attentionBias!), n, u);
        Gemm.Multiply(false, true, n, a, d, T.One, input, d, parameters.Value(attentionWeight!), d, T.One, u, a);
        ReadOnlySpan<T> v = parameters.Value(attentionVector!);
        for (int row = 0; row < n; row++)
        {
            Span<T> hiddenRow = u.Slice(row * a, a);
            System.Numerics.Tensors.TensorPrimitives.Tanh(hiddenRow, hiddenRow);
            alpha[row] = System.Numerics.Tensors.TensorPrimitives.Dot(hiddenRow, v);
        }
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            // α = softmax over the sequence's own steps, shifted by the maximum for stability.
            int length = layout.Lengths[s];
            T maximum = T.NegativeInfinity;
            for (int t = 0; t < length; t++)
                maximum = T.Max(maximum, alpha[layout.Row(t, s)]);
            T total = T.Zero;
            for (int t = 0; t < length; t++)
            {
                int row = layout.Row(t, s);
                alpha[row] = T.Exp(alpha[row] - maximum);
                total += alpha[row];
            }
            Span<T> pooled = output.Slice(s * d, d);
            pooled.Clear();
            for (int t = 0; t < length; t++)
            {
                int row = layout.Row(t, s);
                alpha[row] /= total;
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(input.Slice(row * d, d), alpha[row], pooled, pooled);
            }
        }
    }

    /// <summary>
    /// ∂α_t = ∂out·h_t, ∂h_t = α_t ∂out (direct); ∂e_t = α_t (∂α_t − Σ_τ α_τ ∂α_τ);
    /// ∂v += Σ ∂e_t u_t; ∂z_t = ∂e_t v ⊙ (1 − u_t²); ∂W += ∂zᵀ·H, ∂b += Σ ∂z_t; ∂H += ∂z·W.
    /// </summary>
    private void AttentionBackward(PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient)
    {
        int n = layout.TotalSteps, d = features, a = attentionSize;
        ParameterStore<T> parameters = store!;
        ReadOnlySpan<T> u = attentionHidden.AsSpan(0, n * a);
        ReadOnlySpan<T> alpha = attentionWeights.AsSpan(0, n);
        Span<T> de = Workspace.Ensure(ref scoreGradient, n);
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            ReadOnlySpan<T> pooledGradient = outputGradient.Slice(s * d, d);
            T weighted = T.Zero;
            for (int t = 0; t < layout.Lengths[s]; t++)
            {
                int row = layout.Row(t, s);
                de[row] = System.Numerics.Tensors.TensorPrimitives.Dot(pooledGradient, input.Slice(row * d, d));
                weighted += alpha[row] * de[row];
                System.Numerics.Tensors.TensorPrimitives.Multiply(pooledGradient, alpha[row], inputGradient.Slice(row * d, d));
            }
            for (int t = 0; t < layout.Lengths[s]; t++)
            {
                int row = layout.Row(t, s);
                de[row] = alpha[row] * (de[row] - weighted);
            }
        }

        ReadOnlySpan<T> v = parameters.Value(attentionVector!);
        Span<T> vGradient = parameters.Gradient(attentionVector!);
        Span<T> dz = Workspace.Ensure(ref hiddenGradient, n * a);
        for (int row = 0; row < n; row++)
        {
            ReadOnlySpan<T> hiddenRow = u.Slice(row * a, a);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(hiddenRow, de[row], vGradient, vGradient);
            Span<T> dzRow = dz.Slice(row * a, a);
            for (int j = 0; j < a; j++)
                dzRow[j] = de[row] * v[j] * (T.One - hiddenRow[j] * hiddenRow[j]);
        }
        Gemm.Multiply(true, false, a, d, n, T.One, dz, a, input, d, T.One, parameters.Gradient(attentionWeight!), d);
        VectorMath.AddColumnSums<T>(dz, n, a, parameters.Gradient(attentionBias!));
        Gemm.Multiply(false, false, n, d, a, T.One, dz, a, parameters.Value(attentionWeight!), d, T.One, inputGradient, d);
    }
}
