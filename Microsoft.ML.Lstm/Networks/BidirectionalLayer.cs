using System.Numerics;
using System.Numerics.Tensors;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Reads each sequence both ways: the forward layer over the batch as it is, the backward layer over the
/// batch with every sequence reversed in place (<see cref="PackedLayout.ReversedRows"/>), so the backward
/// direction starts at each sequence's own last element. Its outputs are put back in time order and merged
/// per step: [forward | backward] (Concat, 2H features), forward + backward (Sum) or their mean (Mean).
/// <para>
/// The two directions share nothing but their input, so with <c>concurrent</c> they run at the same time on
/// two threads (each direction on its own share of the threads), forward and backward pass alike: each core
/// then keeps its own direction's weights and states in its cache. What each direction computes does not
/// depend on that, so the results are the same bits either way.
/// </para>
/// </summary>
internal sealed unsafe class BidirectionalLayer<T> : IRecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IRecurrentLayer<T> forward, backward;
    private readonly MergeMode merge;
    private T[] reversedInput = Array.Empty<T>();    // [N, I]
    private T[] forwardOutput = Array.Empty<T>();    // [N, H]
    private T[] reversedOutput = Array.Empty<T>();   // [N, H] in reversed order
    private T[] forwardGradient = Array.Empty<T>();   // [N, H]
    private T[] reversedGradient = Array.Empty<T>(); // [N, H] in reversed order
    private T[] reversedInputGradient = Array.Empty<T>(); // [N, I] in reversed order
    private T[] finalHidden = Array.Empty<T>(), finalCell = Array.Empty<T>();                     // [2, B, H]
    private T[] initialHiddenGradient = Array.Empty<T>(), initialCellGradient = Array.Empty<T>(); // [2, B, H]
    private readonly bool concurrent;

    /// <summary>Combines two one-direction layers of the same sizes; <paramref name="concurrent"/> runs them on two threads.</summary>
    public BidirectionalLayer(IRecurrentLayer<T> forward, IRecurrentLayer<T> backward, MergeMode merge, bool concurrent = false)
    {
        if (forward.InputSize != backward.InputSize || forward.HiddenSize != backward.HiddenSize || forward.Directions != 1 || backward.Directions != 1)
            throw new ArgumentException("Both directions need one direction each and the same input and hidden sizes.");
        this.forward = forward;
        this.backward = backward;
        this.merge = merge;
        this.concurrent = concurrent;
    }

    /// <summary>The layer reading in time order.</summary>
    public IRecurrentLayer<T> ForwardLayer => forward;

    /// <summary>The layer reading each sequence from its end.</summary>
    public IRecurrentLayer<T> BackwardLayer => backward;

    /// <inheritdoc />
    public int InputSize => forward.InputSize;

    /// <inheritdoc />
    public int OutputSize => merge == MergeMode.Concat ? 2 * forward.HiddenSize : forward.HiddenSize;

    /// <inheritdoc />
    public int HiddenSize => forward.HiddenSize;

    /// <inheritdoc />
    public int Directions => 2;

    /// <inheritdoc />
    public bool HasCell => forward.HasCell;

    /// <inheritdoc />
    public ReadOnlySpan<T> FinalHidden => finalHidden.AsSpan(0, 2 * forward.FinalHidden.Length);

    /// <inheritdoc />
    public ReadOnlySpan<T> FinalCell => finalCell.AsSpan(0, 2 * forward.FinalCell.Length);

    /// <inheritdoc />
    public ReadOnlySpan<T> InitialHiddenGradient => initialHiddenGradient.AsSpan(0, 2 * forward.InitialHiddenGradient.Length);

    /// <inheritdoc />
    public ReadOnlySpan<T> InitialCellGradient => initialCellGradient.AsSpan(0, 2 * forward.InitialCellGradient.Length);

    /// <inheritdoc />
    public void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training) =>
        Forward(layout, input, output, training, ReadOnlySpan<T>.Empty, ReadOnlySpan<T>.Empty);

    /// <inheritdoc />
    public void Backward(PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        Backward(layout, input, outputGradient, inputGradient, ReadOnlySpan<T>.Empty, ReadOnlySpan<T>.Empty);

    /// <inheritdoc />
    public void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training, ReadOnlySpan<T> initialHidden, ReadOnlySpan<T> initialCell)
    {
        int n = layout.TotalSteps, h = forward.HiddenSize, i = InputSize;
        int[] reversal = layout.ReversedRows;
        Span<T> fwd = Workspace.Ensure(ref forwardOutput, n * h);
        Span<T> reversed = Workspace.Ensure(ref reversedInput, n * i);
        PackedLayout.GatherRows(reversal, input, reversed, i);
        Span<T> bwdReversed = Workspace.Ensure(ref reversedOutput, n * h);
        if (concurrent)
        {
            fixed (T* inputPointer = input)
            fixed (T* hiddenPointer = initialHidden)
            fixed (T* cellPointer = initialCell)
            {
                var pass = new Pass(this, layout, training, new(inputPointer, input.Length), default, new(hiddenPointer, initialHidden.Length), new(cellPointer, initialCell.Length));
                ParallelParts.Run(2, pass, static (direction, pass) => pass.Layer.ForwardDirection(direction, pass));
            }
        }
        else
        {
            forward.Forward(layout, input, fwd, training, Half(initialHidden, 0), Half(initialCell, 0));
            backward.Forward(layout, reversed, bwdReversed, training, Half(initialHidden, 1), Half(initialCell, 1));
        }
        Concatenate(forward.FinalHidden, backward.FinalHidden, ref finalHidden);
        Concatenate(forward.FinalCell, backward.FinalCell, ref finalCell);

        for (int row = 0; row < n; row++)
        {
            ReadOnlySpan<T> f = fwd.Slice(row * h, h);
            ReadOnlySpan<T> b = bwdReversed.Slice(reversal[row] * h, h);
            switch (merge)
            {
                case MergeMode.Concat:
                    f.CopyTo(output.Slice(row * 2 * h, h));
                    b.CopyTo(output.Slice(row * 2 * h + h, h));
                    break;
                case MergeMode.Sum:
                    TensorPrimitives.Add(f, b, output.Slice(row * h, h));
                    break;
                case MergeMode.Mean:
                    TensorPrimitives.Add(f, b, output.Slice(row * h, h));
                    TensorPrimitives.Multiply(output.Slice(row * h, h), T.CreateChecked(0.5), output.Slice(row * h, h));
                    break;
            }
        }
    }

    /// <inheritdoc />
    public void Backward(
        PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient,
        ReadOnlySpan<T> finalHiddenGradient, ReadOnlySpan<T> finalCellGradient)
    {
        int n = layout.TotalSteps, h = forward.HiddenSize, i = InputSize;
        int[] reversal = layout.ReversedRows;
        Span<T> dForward = Workspace.Ensure(ref forwardGradient, n * h);
        Span<T> dBackward = Workspace.Ensure(ref reversedGradient, n * h);
        T share = merge == MergeMode.Mean ? T.CreateChecked(0.5) : T.One;
        for (int row = 0; row < n; row++)
        {
            Span<T> f = dForward.Slice(row * h, h);
            Span<T> b = dBackward.Slice(reversal[row] * h, h);
            if (merge == MergeMode.Concat)
            {
                outputGradient.Slice(row * 2 * h, h).CopyTo(f);
                outputGradient.Slice(row * 2 * h + h, h).CopyTo(b);
            }
            else
            {
                TensorPrimitives.Multiply(outputGradient.Slice(row * h, h), share, f);
                f.CopyTo(b);
            }
        }

        bool needInput = !inputGradient.IsEmpty;
        Span<T> dReversedInput = needInput ? Workspace.Ensure(ref reversedInputGradient, n * i) : Span<T>.Empty;
        if (concurrent)
        {
            fixed (T* inputPointer = input)
            fixed (T* inputGradientPointer = inputGradient)
            fixed (T* hiddenPointer = finalHiddenGradient)
            fixed (T* cellPointer = finalCellGradient)
            {
                var pass = new Pass(
                    this, layout, true, new(inputPointer, input.Length), new(inputGradientPointer, inputGradient.Length),
                    new(hiddenPointer, finalHiddenGradient.Length), new(cellPointer, finalCellGradient.Length));
                ParallelParts.Run(2, pass, static (direction, pass) => pass.Layer.BackwardDirection(direction, pass));
            }
        }
        else
        {
            forward.Backward(layout, input, dForward, inputGradient, Half(finalHiddenGradient, 0), Half(finalCellGradient, 0));
            backward.Backward(layout, reversedInput.AsSpan(0, n * i), dBackward, dReversedInput, Half(finalHiddenGradient, 1), Half(finalCellGradient, 1));
        }
        Concatenate(forward.InitialHiddenGradient, backward.InitialHiddenGradient, ref initialHiddenGradient);
        Concatenate(forward.InitialCellGradient, backward.InitialCellGradient, ref initialCellGradient);
        if (needInput)
        {
            for (int row = 0; row < n; row++)
                VectorMath.Add<T>(dReversedInput.Slice(reversal[row] * i, i), inputGradient.Slice(row * i, i));
        }
    }

    private void ForwardDirection(int direction, Pass pass)
    {
        PackedLayout layout = pass.Layout;
        int n = layout.TotalSteps, h = forward.HiddenSize, i = InputSize;
        if (direction == 0)
            forward.Forward(layout, pass.Input.Read, forwardOutput.AsSpan(0, n * h), pass.Training, Half(pass.Hidden.Read, 0), Half(pass.Cell.Read, 0));
        else
            backward.Forward(layout, reversedInput.AsSpan(0, n * i), reversedOutput.AsSpan(0, n * h), pass.Training, Half(pass.Hidden.Read, 1), Half(pass.Cell.Read, 1));
    }

    private void BackwardDirection(int direction, Pass pass)
    {
        PackedLayout layout = pass.Layout;
        int n = layout.TotalSteps, h = forward.HiddenSize, i = InputSize;
        if (direction == 0)
        {
            forward.Backward(layout, pass.Input.Read, forwardGradient.AsSpan(0, n * h), pass.InputGradient.Write, Half(pass.Hidden.Read, 0), Half(pass.Cell.Read, 0));
        }
        else
        {
            Span<T> dReversedInput = pass.InputGradient.Length == 0 ? Span<T>.Empty : reversedInputGradient.AsSpan(0, n * i);
            backward.Backward(layout, reversedInput.AsSpan(0, n * i), reversedGradient.AsSpan(0, n * h), dReversedInput, Half(pass.Hidden.Read, 1), Half(pass.Cell.Read, 1));
        }
    }

    /// <summary>Direction <paramref name="direction"/>'s [B, H] part of a state [2, B, H]; empty stays empty (zero).</summary>
    private static ReadOnlySpan<T> Half(ReadOnlySpan<T> state, int direction) =>
        state.IsEmpty ? state : state.Slice(direction * (state.Length / 2), state.Length / 2);

    /// <summary>Writes [first | second] into <paramref name="buffer"/>.</summary>
    private static void Concatenate(ReadOnlySpan<T> first, ReadOnlySpan<T> second, ref T[] buffer)
    {
        Span<T> both = Workspace.Ensure(ref buffer, first.Length + second.Length);
        first.CopyTo(both);
        second.CopyTo(both.Slice(first.Length));
    }

    /// <summary>
    /// One pass as the two direction workers see it: the layer, the layout, and the caller's spans pinned for the
    /// pass (a span cannot reach another thread): the input, ∂input (backward), and the states given for both
    /// directions (initial states forward, final-state gradients backward).
    /// </summary>
    private readonly record struct Pass(
        BidirectionalLayer<T> Layer, PackedLayout Layout, bool Training,
        PinnedSpan<T> Input, PinnedSpan<T> InputGradient, PinnedSpan<T> Hidden, PinnedSpan<T> Cell);
}
