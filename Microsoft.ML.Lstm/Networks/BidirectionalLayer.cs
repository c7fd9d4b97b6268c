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
internal sealed unsafe class BidirectionalLayer<T> : ISequenceLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IRecurrentLayer<T> forward, backward;
    private readonly MergeMode merge;
    private T[] reversedInput = Array.Empty<T>();    // [N, I]
    private T[] forwardOutput = Array.Empty<T>();    // [N, H]
    private T[] reversedOutput = Array.Empty<T>();   // [N, H] in reversed order
    private T[] forwardGradient = Array.Empty<T>();   // [N, H]
    private T[] reversedGradient = Array.Empty<T>(); // [N, H] in reversed order
    private T[] reversedInputGradient = Array.Empty<T>(); // [N, I] in reversed order
    private readonly bool concurrent;
    private readonly Action<int> forwardDirection, backwardDirection;
    // The pass the direction workers run: spans cannot cross threads, so the caller's are pinned for its duration.
    private PackedLayout? passLayout;
    private bool passTraining;
    private T* passInput, passInputGradient;
    private int passInputGradientLength;

    /// <summary>Combines two one-direction layers of the same sizes; <paramref name="concurrent"/> runs them on two threads.</summary>
    public BidirectionalLayer(IRecurrentLayer<T> forward, IRecurrentLayer<T> backward, MergeMode merge, bool concurrent = false)
    {
        if (forward.InputSize != backward.InputSize || forward.HiddenSize != backward.HiddenSize)
            throw new ArgumentException("Both directions need the same input and hidden sizes.");
        this.forward = forward;
        this.backward = backward;
        this.merge = merge;
        this.concurrent = concurrent;
        forwardDirection = ForwardDirection;
        backwardDirection = BackwardDirection;
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
    public void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training)
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
                RunBothDirections(layout, training, inputPointer, null, 0, forwardDirection);
        }
        else
        {
            forward.Forward(layout, input, fwd, training);
            backward.Forward(layout, reversed, bwdReversed, training);
        }

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
    public void Backward(PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient)
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
                RunBothDirections(layout, true, inputPointer, inputGradientPointer, inputGradient.Length, backwardDirection);
        }
        else
        {
            forward.Backward(layout, input, dForward, inputGradient);
            backward.Backward(layout, reversedInput.AsSpan(0, n * i), dBackward, dReversedInput);
        }
        if (needInput)
        {
            for (int row = 0; row < n; row++)
                VectorMath.Add<T>(dReversedInput.Slice(reversal[row] * i, i), inputGradient.Slice(row * i, i));
        }
    }

    /// <summary>Runs <paramref name="direction"/>(0) and (1), the forward and the backward direction, on two threads.</summary>
    private void RunBothDirections(PackedLayout layout, bool training, T* input, T* inputGradient, int inputGradientLength, Action<int> direction)
    {
        passLayout = layout;
        passTraining = training;
        passInput = input;
        passInputGradient = inputGradient;
        passInputGradientLength = inputGradientLength;
        try
        {
            ParallelParts.Run(2, direction);
        }
        finally
        {
            passInput = null;
            passInputGradient = null;
        }
    }

    private void ForwardDirection(int direction)
    {
        PackedLayout layout = passLayout!;
        int n = layout.TotalSteps, h = forward.HiddenSize, i = InputSize;
        if (direction == 0)
            forward.Forward(layout, new ReadOnlySpan<T>(passInput, n * i), forwardOutput.AsSpan(0, n * h), passTraining);
        else
            backward.Forward(layout, reversedInput.AsSpan(0, n * i), reversedOutput.AsSpan(0, n * h), passTraining);
    }

    private void BackwardDirection(int direction)
    {
        PackedLayout layout = passLayout!;
        int n = layout.TotalSteps, h = forward.HiddenSize, i = InputSize;
        if (direction == 0)
        {
            forward.Backward(layout, new ReadOnlySpan<T>(passInput, n * i), forwardGradient.AsSpan(0, n * h), new Span<T>(passInputGradient, passInputGradientLength));
        }
        else
        {
            Span<T> dReversedInput = passInputGradientLength == 0 ? Span<T>.Empty : reversedInputGradient.AsSpan(0, n * i);
            backward.Backward(layout, reversedInput.AsSpan(0, n * i), reversedGradient.AsSpan(0, n * h), dReversedInput);
        }
    }
}
