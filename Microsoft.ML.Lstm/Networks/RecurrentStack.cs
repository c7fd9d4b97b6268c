using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// N recurrent layers, each one- or two-directional, the output of one the input of the next, with
/// inverted dropout between layers (not after the last). Parameters are named <c>{prefix}.l{k}.…</c> and,
/// for the reverse direction, <c>{prefix}.l{k}_reverse.…</c>, like PyTorch's weight_ih_l{k}_reverse.
/// Like PyTorch's <c>nn.LSTM</c>, it takes initial states and gives final states for every layer and direction
/// (<see cref="RecurrentState{T}"/>, in the caller's order of sequences), with gradients both ways.
/// </summary>
internal sealed class RecurrentStack<T> : ISequenceLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IRecurrentLayer<T>[] layers;
    private readonly DropoutLayer<T>[] dropouts;
    private readonly T[][] layerOutputs;   // output of layer k [N, out_k], k < last
    private readonly T[][] droppedOutputs; // after dropout, the input of layer k+1
    private T[] gradientA = Array.Empty<T>(), gradientB = Array.Empty<T>();
    // States in the batch's sorted order [L·D, B, H]: given initial states, and given final-state gradients.
    private T[] sortedHidden = Array.Empty<T>(), sortedCell = Array.Empty<T>();
    private RecurrentState<T>? finalState, initialStateGradient;

    /// <summary>Builds the stack; its weights are initialised from <paramref name="random"/>, or left at zero when it is null (to be loaded).</summary>
    public RecurrentStack(
        ParameterStore<T> store, string prefix, CellType cell, int inputSize, int hiddenSize, int layerCount,
        bool bidirectional, MergeMode merge, double dropout, Random? random, int threads)
    {
        if (layerCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(layerCount), layerCount, "A stack needs at least one layer.");
        HiddenSize = hiddenSize;
        Directions = bidirectional ? 2 : 1;
        HasCell = cell != CellType.Gru;
        layers = new IRecurrentLayer<T>[layerCount];
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
                dropouts[k] = new DropoutLayer<T>(dropout, random ?? new Random(0));
                layerOutputs[k] = Array.Empty<T>();
                droppedOutputs[k] = Array.Empty<T>();
            }
        }
    }

    /// <summary>The layers, first to last (each a <see cref="RecurrentLayer{T}"/> or a <see cref="BidirectionalLayer{T}"/>).</summary>
    public IReadOnlyList<IRecurrentLayer<T>> Layers => layers;

    /// <summary>1, or 2 for bidirectional layers.</summary>
    public int Directions { get; }

    /// <summary>Hidden units per direction.</summary>
    public int HiddenSize { get; }

    /// <summary>Whether the cells have a cell state (LSTMs).</summary>
    public bool HasCell { get; }

    /// <summary>Layers × directions: the first dimension of the states.</summary>
    public int StateCount => layers.Length * Directions;

    /// <inheritdoc />
    public int InputSize => layers[0].InputSize;

    /// <inheritdoc />
    public int OutputSize => layers[^1].OutputSize;

    /// <summary>h_n and c_n of every layer and direction after the last Forward, in the caller's order of sequences; owned by the stack.</summary>
    public RecurrentState<T> FinalState => finalState ?? throw new InvalidOperationException("FinalState needs a Forward pass first.");

    /// <summary>∂L/∂h_0 and ∂L/∂c_0 of every layer and direction after the last Backward, in the caller's order; owned by the stack.</summary>
    public RecurrentState<T> InitialStateGradient => initialStateGradient ?? throw new InvalidOperationException("InitialStateGradient needs a Backward pass first.");

    /// <inheritdoc />
    public void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training) =>
        Forward(layout, input, output, training, null);

    /// <inheritdoc />
    public void Backward(PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        Backward(layout, input, outputGradient, inputGradient, null);

    /// <summary>Runs the stack from <paramref name="initialState"/> (null: zero), then sets <see cref="FinalState"/>.</summary>
    public void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training, RecurrentState<T>? initialState)
    {
        int n = layout.TotalSteps;
        ReadOnlySpan<T> current = input;
        bool hasInitial = ToSorted(layout, initialState, "initial state");
        for (int k = 0; k < layers.Length; k++)
        {
            ReadOnlySpan<T> hidden = hasInitial ? LayerSlice(sortedHidden, k, layout.SequenceCount) : default;
            ReadOnlySpan<T> cell = hasInitial ? LayerSlice(sortedCell, k, layout.SequenceCount) : default;
            if (k == layers.Length - 1)
            {
                layers[k].Forward(layout, current, output, training, hidden, cell);
                break;
            }
            int width = layers[k].OutputSize;
            Span<T> produced = Workspace.Ensure(ref layerOutputs[k], n * width);
            layers[k].Forward(layout, current, produced, training, hidden, cell);
            Span<T> dropped = Workspace.Ensure(ref droppedOutputs[k], n * width);
            dropouts[k].Forward(produced, dropped, training);
            current = dropped;
        }
        finalState = FromSorted(layout, finalState, gradients: false);
    }

    /// <summary>Back-propagates ∂output and ∂h_n, ∂c_n (<paramref name="finalStateGradient"/>, null: zero), then sets <see cref="InitialStateGradient"/>.</summary>
    public void Backward(PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, RecurrentState<T>? finalStateGradient)
    {
        int n = layout.TotalSteps;
        bool hasFinal = ToSorted(layout, finalStateGradient, "final state's gradient");
        ReadOnlySpan<T> gradient = outputGradient;
        for (int k = layers.Length - 1; k > 0; k--)
        {
            ReadOnlySpan<T> hidden = hasFinal ? LayerSlice(sortedHidden, k, layout.SequenceCount) : default;
            ReadOnlySpan<T> cell = hasFinal ? LayerSlice(sortedCell, k, layout.SequenceCount) : default;
            int width = layers[k - 1].OutputSize;
            // ∂(input of layer k) goes to one buffer; ∂(output of layer k−1) may overwrite the other, which held
            // ∂(output of layer k) and is no longer read once layer k is done.
            Span<T> droppedGradient = Workspace.Ensure(ref gradientA, n * width);
            layers[k].Backward(layout, droppedOutputs[k - 1].AsSpan(0, n * width), gradient, droppedGradient, hidden, cell);
            Span<T> producedGradient = Workspace.Ensure(ref gradientB, n * width);
            dropouts[k - 1].Backward(droppedGradient, producedGradient);
            gradient = producedGradient;
        }
        layers[0].Backward(
            layout, input, gradient, inputGradient,
            hasFinal ? LayerSlice(sortedHidden, 0, layout.SequenceCount) : default,
            hasFinal ? LayerSlice(sortedCell, 0, layout.SequenceCount) : default);
        initialStateGradient = FromSorted(layout, initialStateGradient, gradients: true);
    }

    /// <summary>Layer <paramref name="k"/>'s [D, B, H] part of a sorted state buffer [L·D, B, H]; empty for an empty (cell-less) buffer.</summary>
    private ReadOnlySpan<T> LayerSlice(T[] buffer, int k, int sequences)
    {
        int length = Directions * sequences * HiddenSize;
        return buffer.Length == 0 ? ReadOnlySpan<T>.Empty : buffer.AsSpan(k * length, length);
    }

    /// <summary>Copies a state given in the caller's order into the sorted buffers; false when none is given.</summary>
    private bool ToSorted(PackedLayout layout, RecurrentState<T>? state, string what)
    {
        if (state is null)
            return false;
        int b = layout.SequenceCount, h = HiddenSize;
        if (!state.Fits(StateCount, b, h, HasCell))
        {
            throw new ArgumentException(
                $"The {what} is [{state.States}, {state.Sequences}, {state.HiddenSize}]{(state.HasCell ? " with cells" : "")}; " +
                $"this stack and batch need [{StateCount}, {b}, {h}]{(HasCell ? " with cells" : "")}.");
        }
        Span<T> hidden = Workspace.Ensure(ref sortedHidden, state.Hidden.Length);
        Span<T> cell = HasCell ? Workspace.Ensure(ref sortedCell, state.Cell.Length) : Span<T>.Empty;
        for (int i = 0; i < StateCount; i++)
        {
            for (int s = 0; s < b; s++)
            {
                int from = (i * b + layout.SortedToOriginal[s]) * h, to = (i * b + s) * h;
                state.Hidden.AsSpan(from, h).CopyTo(hidden.Slice(to, h));
                if (HasCell)
                    state.Cell.AsSpan(from, h).CopyTo(cell.Slice(to, h));
            }
        }
        return true;
    }

    /// <summary>
    /// Gathers each layer's [D, B, H] final states, or with <paramref name="gradients"/> its initial-state gradients
    /// (sorted order), into a <see cref="RecurrentState{T}"/> in the caller's order, reusing <paramref name="reuse"/> when it fits.
    /// </summary>
    private RecurrentState<T> FromSorted(PackedLayout layout, RecurrentState<T>? reuse, bool gradients)
    {
        int b = layout.SequenceCount, h = HiddenSize;
        RecurrentState<T> state = reuse is not null && reuse.Fits(StateCount, b, h, HasCell) ? reuse : new RecurrentState<T>(StateCount, b, h, HasCell);
        for (int k = 0; k < layers.Length; k++)
        {
            IRecurrentLayer<T> layer = layers[k];
            ReadOnlySpan<T> hidden = gradients ? layer.InitialHiddenGradient : layer.FinalHidden;
            ReadOnlySpan<T> cell = gradients ? layer.InitialCellGradient : layer.FinalCell;
            for (int d = 0; d < Directions; d++)
            {
                int i = k * Directions + d;
                for (int s = 0; s < b; s++)
                {
                    int from = (d * b + s) * h, to = (i * b + layout.SortedToOriginal[s]) * h;
                    hidden.Slice(from, h).CopyTo(state.Hidden.AsSpan(to, h));
                    if (HasCell)
                        cell.Slice(from, h).CopyTo(state.Cell.AsSpan(to, h));
                }
            }
        }
        return state;
    }
}
