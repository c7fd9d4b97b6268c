using System.Numerics;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A fully connected layer applied to each row: y = x·Wᵀ + b, with W [outputSize, inputSize] (PyTorch's
/// layout) and b [outputSize]. Backward: ∂W += ∂yᵀ·x, ∂b += Σ_rows ∂y, ∂x = ∂y·W.
/// </summary>
internal sealed class DenseLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterStore<T> store;
    private readonly ParameterView weight;
    private readonly ParameterView bias;

    /// <summary>Registers <c>{name}.weight</c> (Xavier uniform; zero when <paramref name="random"/> is null, to be loaded) and <c>{name}.bias</c> (zero).</summary>
    public DenseLayer(ParameterStore<T> store, string name, int inputSize, int outputSize, Random? random)
    {
        this.store = store;
        InputSize = inputSize;
        OutputSize = outputSize;
        weight = store.Add(name + ".weight", outputSize, inputSize);
        bias = store.Add(name + ".bias", outputSize);
        if (random is not null)
            Initialization.XavierUniform(store.Value(weight), inputSize, outputSize, random);
    }

    /// <summary>Features read per row.</summary>
    public int InputSize { get; }

    /// <summary>Features written per row.</summary>
    public int OutputSize { get; }

    /// <summary>output [rows, OutputSize] = input [rows, InputSize] · Wᵀ + b, the product on up to <paramref name="threads"/> threads (the same bits for any count).</summary>
    public void Forward(int rows, ReadOnlySpan<T> input, Span<T> output, int threads = 1)
    {
        VectorMath.BroadcastRows<T>(store.Value(bias), rows, output);
        Gemm.Multiply(false, true, rows, OutputSize, InputSize, T.One, input, InputSize, store.Value(weight), InputSize, T.One, output, OutputSize, threads);
    }

    /// <summary>Accumulates ∂W and ∂b; writes ∂input unless <paramref name="inputGradient"/> is empty; the products on up to <paramref name="threads"/> threads.</summary>
    public void Backward(int rows, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, int threads = 1)
    {
        Gemm.Multiply(true, false, OutputSize, InputSize, rows, T.One, outputGradient, OutputSize, input, InputSize, T.One, store.Gradient(weight), InputSize, threads);
        VectorMath.AddColumnSums(outputGradient, rows, OutputSize, store.Gradient(bias));
        if (!inputGradient.IsEmpty)
            Gemm.Multiply(false, false, rows, InputSize, OutputSize, T.One, outputGradient, OutputSize, store.Value(weight), InputSize, T.Zero, inputGradient, InputSize, threads);
    }
}
