using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// N recurrent layers, each one- or two-directional, the output of one the input of the next, with
/// inverted dropout between layers (not after the last). Parameters are named <c>{prefix}.l{k}.…</c> and,
/// for the reverse direction, <c>{prefix}.l{k}_reverse.…</c>, like PyTorch's weight_ih_l{k}_reverse.
/// </summary>
internal sealed class RecurrentStack<T> : ISequenceLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ISequenceLayer<T>[] layers;
    private readonly DropoutLayer<T>[] dropouts;
    private readonly T[][] layerOutputs;   // output of layer k [N, out_k], k < last
    private readonly T[][] droppedOutputs; // after dropout, the input of layer k+1
    private T[] gradientA = Array.Empty<T>(), gradientB = Array.Empty<T>();

    /// <summary>Builds and initialises the stack.</summary>
    public RecurrentStack(
        ParameterStore<T> store, string prefix, CellType cell, int inputSize, int hiddenSize, int layerCount,
        bool bidirectional, MergeMode merge, double dropout, Random random, int threads)
    {
        if (layerCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(layerCount), layerCount, "A stack needs at least one layer.");
        HiddenSize = hiddenSize;
        Directions = bidirectional ? 2 : 1;
        layers = new ISequenceLayer<T>[layerCount];
        dropouts = new DropoutLayer<T>[layerCount - 1];
        layerOutputs = new T[layerCount - 1][];
        droppedOutputs = new T[layerCount - 1][];
        int layerInput = inputSize;
        for (int k = 0; k < layerCount; k++)
        {
            // Two directions run side by side, each on its share of the threads.
            int forwardThreads = bidirectional ? Math.Max(1, (threads + 1) / 2) : threads;
            var forwardLayer = new RecurrentLayer<T>(store, $"{prefix}.l{k}", cell, layerInput, hiddenSize, random, forwardThreads);
            layers[k] = bidirectional
                ? new BidirectionalLayer<T>(
                    forwardLayer, new RecurrentLayer<T>(store, $"{prefix}.l{k}_reverse", cell, layerInput, hiddenSize, random, Math.Max(1, threads / 2)),
                    merge, concurrent: threads > 1)
                : forwardLayer;
            layerInput = layers[k].OutputSize;
            if (k < layerCount - 1)
            {
                dropouts[k] = new DropoutLayer<T>(dropout, random);
                layerOutputs[k] = Array.Empty<T>();
                droppedOutputs[k] = Array.Empty<T>();
            }
        }
    }

    /// <summary>The layers, first to last (each an <see cref="IRecurrentLayer{T}"/> or a <see cref="BidirectionalLayer{T}"/>).</summary>
    public IReadOnlyList<ISequenceLayer<T>> Layers => layers;

    /// <summary>1, or 2 for bidirectional layers.</summary>
    public int Directions { get; }

    /// <summary>Hidden units per direction.</summary>
    public int HiddenSize { get; }

    /// <inheritdoc />
    public int InputSize => layers[0].InputSize;

    /// <inheritdoc />
    public int OutputSize => layers[^1].OutputSize;

    /// <inheritdoc />
    public void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training)
    {
        int n = layout.TotalSteps;
        ReadOnlySpan<T> current = input;
        for (int k = 0; k < layers.Length - 1; k++)
        {
            int width = layers[k].OutputSize;
            Span<T> produced = Workspace.Ensure(ref layerOutputs[k], n * width);
            layers[k].Forward(layout, current, produced, training);
            Span<T> dropped = Workspace.Ensure(ref droppedOutputs[k], n * width);
            dropouts[k].Forward(produced, dropped, training);
            current = dropped;
        }
        layers[^1].Forward(layout, current, output, training);
    }

    /// <inheritdoc />
    public void Backward(PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient)
    {
        int n = layout.TotalSteps;
        ReadOnlySpan<T> gradient = outputGradient;
        for (int k = layers.Length - 1; k > 0; k--)
        {
            int width = layers[k - 1].OutputSize;
            // ∂(input of layer k) goes to one buffer; ∂(output of layer k−1) may overwrite the other, which held
            // ∂(output of layer k) and is no longer read once layer k is done.
            Span<T> droppedGradient = Workspace.Ensure(ref gradientA, n * width);
            layers[k].Backward(layout, droppedOutputs[k - 1].AsSpan(0, n * width), gradient, droppedGradient);
            Span<T> producedGradient = Workspace.Ensure(ref gradientB, n * width);
            dropouts[k - 1].Backward(droppedGradient, producedGradient);
            gradient = producedGradient;
        }
        layers[0].Backward(layout, input, gradient, inputGradient);
    }
}
