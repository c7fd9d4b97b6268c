using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Training through the split of the units: the forward pass writes what the backward pass reads in the layer's own
/// whole-row layout (<see cref="RecurrentLayer{T}"/>'s gates and GRU h-projection [N, G·H], c_t and the kept h_{t−1}
/// [N, H]), so that the weight gradients stay one GEMM each over all rows, as with the split by sequences.
/// </summary>
/// <remarks>
/// Forward, part q's step t gathers its columns of the step's input projection (x·W_ihᵀ + b, made by the layer before the
/// pass) into a buffer of its own [b_t, G·units], adds h_{t−1}·W_hh⁽q⁾ᵀ, runs the kernel and puts the activations back.
/// Backward, each step is two tasks per part: the cell's gradients on the part's units (its gate gradients put back over the
/// activations, ∂c kept in place), which needs only the part's own ∂h_t; then its units of ∂h_{t−1} = ∂gates_t·W_hh[:, units],
/// which needs every part's gate gradients of the step, through W_hh's columns of the part packed apart. Every element is
/// the same FMA chain as on one thread, so the bits are those of the split by sequences.
/// </remarks>
internal sealed partial class UnitSplitRecurrence
{
    private TrainingPart[] trainingParts = Array.Empty<TrainingPart>();
    private int trainingVersion = -1;

    /// <summary>
    /// Training's forward pass over <paramref name="layout"/>: <paramref name="gates"/> [N, G·H] holds x·W_ihᵀ + b on entry and
    /// the activations on exit; for a GRU <paramref name="projection"/> [N, G·H] receives h_{t−1}·W_hhᵀ + b_hh; h_{t−1} is
    /// copied into <paramref name="previousHidden"/> [N, H], whose first B rows hold h_{−1}; <paramref name="initialCell"/>
    /// [B, H] (empty for a GRU); h_t into <paramref name="output"/> and, for an LSTM, c_t into <paramref name="cells"/> [N, H].
    /// </summary>
    public unsafe void ForwardTraining(
        LayerWeights weights, PackedLayout layout, Span<float> gates, Span<float> projection, Span<float> previousHidden,
        ReadOnlySpan<float> initialCell, Span<float> output, Span<float> cells, int threads)
    {
        PrepareTraining(weights, layout);
        fixed (float* gatesPointer = gates)
        fixed (float* projectionPointer = projection)
        fixed (float* previousPointer = previousHidden)
        fixed (float* cellPointer = initialCell)
        fixed (float* outputPointer = output)
        fixed (float* cellsPointer = cells)
        {
            Run(new Pass(this, layout, PassKind.TrainingForward, default, default, new(cellPointer, initialCell.Length),
                new(outputPointer, output.Length), new(cellsPointer, cells.Length), new(gatesPointer, gates.Length),
                new(projectionPointer, projection.Length), new(previousPointer, previousHidden.Length)), threads);
        }
    }

    /// <summary>
    /// Back through time over what <see cref="ForwardTraining"/> kept: the gate gradients overwrite <paramref name="gates"/>
    /// (and, for a GRU, the h-projection's overwrite <paramref name="projection"/>); <paramref name="hiddenGradient"/> and
    /// <paramref name="cellGradient"/> [B, H] hold ∂h_n and ∂c_n on entry and ∂h_{−1} and ∂c_{−1} on exit.
    /// </summary>
    public unsafe void Backward(
        PackedLayout layout, Span<float> gates, Span<float> projection, ReadOnlySpan<float> previousHidden, ReadOnlySpan<float> initialCell,
        ReadOnlySpan<float> cells, ReadOnlySpan<float> outputGradient, Span<float> hiddenGradient, Span<float> cellGradient, int threads)
    {
        fixed (float* gatesPointer = gates)
        fixed (float* projectionPointer = projection)
        fixed (float* previousPointer = previousHidden)
        fixed (float* cellPointer = initialCell)
        fixed (float* cellsPointer = cells)
        fixed (float* outputGradientPointer = outputGradient)
        fixed (float* hiddenGradientPointer = hiddenGradient)
        fixed (float* cellGradientPointer = cellGradient)
        {
            Run(new Pass(this, layout, PassKind.Backward, default, default, new(cellPointer, initialCell.Length), default,
                new(cellsPointer, cells.Length), new(gatesPointer, gates.Length), new(projectionPointer, projection.Length),
                new(previousPointer, previousHidden.Length), new(outputGradientPointer, outputGradient.Length),
                new(hiddenGradientPointer, hiddenGradient.Length), new(cellGradientPointer, cellGradient.Length)), threads);
        }
    }

    /// <summary>Part q's forward step t in training.</summary>
    private void RunTrainingTask(int q, int t, Pass pass)
    {
        TrainingPart part = trainingParts[q];
        PackedLayout layout = pass.Layout;
        int h = hiddenSize, units = bounds[q + 1] - bounds[q], width = gateCount * units, first = bounds[q];
        int rows = layout.BatchSizes[t], row = layout.StepOffsets[t], partSpan = (rows - 1) * h + units;
        Span<float> output = pass.Output.Write, kept = pass.PreviousHidden.Write;
        ReadOnlySpan<float> hPrev;
        if (t == 0)
        {
            hPrev = kept.Slice(0, rows * h);
        }
        else
        {
            // h_{t−1} for ∂W_hh: each part copies its own units.
            hPrev = output.Slice(layout.StepOffsets[t - 1] * h, rows * h);
            for (int r = 0; r < rows; r++)
                hPrev.Slice(r * h + first, units).CopyTo(kept.Slice((row + r) * h + first, units));
        }

        Span<float> gates = part.Gates.AsSpan(0, rows * width);
        GatherColumns(pass.Gates.Read, row, rows, first, units, gates);
        Span<float> hidden = output.Slice(row * h + first, partSpan);
        if (cell == CellType.Gru)
        {
            Span<float> projection = part.Projection.AsSpan(0, rows * width);
            VectorMath.BroadcastRows<float>(part.RecurrentBias, rows, projection);
            Gemm.Multiply(false, rows, 1f, hPrev, h, part.RecurrentRows!, 1f, projection, width);
            GruKernels.ForwardStep<float>(gates, projection, hPrev.Slice(first, partSpan), gates, hidden, rows, units, h);
            ScatterColumns(projection, row, rows, first, units, pass.Projection.Write);
        }
        else
        {
            Span<float> cells = pass.Cells.Write;
            ReadOnlySpan<float> cPrev = t == 0 ? pass.InitialCell.Read.Slice(first, partSpan) : cells.Slice(layout.StepOffsets[t - 1] * h + first, partSpan);
            Gemm.Multiply(false, rows, 1f, hPrev, h, part.RecurrentRows!, 1f, gates, width);
            Span<float> cellOut = cells.Slice(row * h + first, partSpan);
            if (cell == CellType.PeepholeLstm)
                PeepholeLstmKernels.ForwardStep<float>(gates, part.Peepholes, cPrev, cellOut, hidden, rows, units, h);
            else
                LstmKernels.ForwardStep<float>(gates, cPrev, cellOut, hidden, rows, units, h);
        }
        ScatterColumns(gates, row, rows, first, units, pass.Gates.Write);
    }

    /// <summary>Part q's backward task k: for step t = T − 1 − k/2, the cell's gradients (even k), then its units of ∂h_{t−1} (odd k).</summary>
    private void RunBackwardTask(int q, int k, Pass pass)
    {
        TrainingPart part = trainingParts[q];
        PackedLayout layout = pass.Layout;
        int t = layout.MaxLength - 1 - k / 2;
        int h = hiddenSize, units = bounds[q + 1] - bounds[q], width = gateCount * units, full = gateCount * h, first = bounds[q];
        int rows = layout.BatchSizes[t], row = layout.StepOffsets[t], partSpan = (rows - 1) * h + units;
        Span<float> dh = pass.HiddenGradient.Write.Slice(first, partSpan);
        if (k % 2 == 1)
        {
            // ∂h_{t−1} = ∂gates_t · W_hh (the LSTM's gates; the GRU's h-projection, after the kernel's direct dh ⊙ z).
            bool gru = cell == CellType.Gru;
            ReadOnlySpan<float> dGates = (gru ? pass.Projection.Read : pass.Gates.Read).Slice(row * full, rows * full);
            Gemm.Multiply(false, rows, 1f, dGates, full, part.RecurrentColumns!, gru ? 1f : 0f, dh, h);
            return;
        }

        Span<float> gates = part.Gates.AsSpan(0, rows * width);
        GatherColumns(pass.Gates.Read, row, rows, first, units, gates);
        ReadOnlySpan<float> dy = pass.OutputGradient.Read.Slice(row * h + first, partSpan);
        if (cell == CellType.Gru)
        {
            Span<float> projection = part.Projection.AsSpan(0, rows * width);
            GatherColumns(pass.Projection.Read, row, rows, first, units, projection);
            ReadOnlySpan<float> hPrev = pass.PreviousHidden.Read.Slice(row * h + first, partSpan);
            GruKernels.BackwardStep<float>(gates, projection, hPrev, dy, dh, gates, projection, dh, rows, units, h);
            ScatterColumns(projection, row, rows, first, units, pass.Projection.Write);
        }
        else
        {
            ReadOnlySpan<float> cells = pass.Cells.Read;
            ReadOnlySpan<float> cPrev = t == 0 ? pass.InitialCell.Read.Slice(first, partSpan) : cells.Slice(layout.StepOffsets[t - 1] * h + first, partSpan);
            ReadOnlySpan<float> c = cells.Slice(row * h + first, partSpan);
            Span<float> dc = pass.CellGradient.Write.Slice(first, partSpan);
            if (cell == CellType.PeepholeLstm)
                PeepholeLstmKernels.BackwardStep<float>(gates, part.Peepholes, cPrev, c, dy, dh, dc, gates, rows, units, h);
            else
                LstmKernels.BackwardStep<float>(gates, cPrev, c, dy, dh, dc, gates, rows, units, h);
        }
        ScatterColumns(gates, row, rows, first, units, pass.Gates.Write);
    }

    /// <summary>Part [first, first + units)'s columns of every gate of rows [row, row + rows) of a [N, G·H] buffer, into [rows, G·units].</summary>
    private void GatherColumns(ReadOnlySpan<float> all, int row, int rows, int first, int units, Span<float> part)
    {
        int h = hiddenSize, full = gateCount * h, width = gateCount * units;
        for (int r = 0; r < rows; r++)
        {
            for (int g = 0; g < gateCount; g++)
                all.Slice((row + r) * full + g * h + first, units).CopyTo(part.Slice(r * width + g * units, units));
        }
    }

    /// <summary>The inverse of <see cref="GatherColumns"/>.</summary>
    private void ScatterColumns(ReadOnlySpan<float> part, int row, int rows, int first, int units, Span<float> all)
    {
        int h = hiddenSize, full = gateCount * h, width = gateCount * units;
        for (int r = 0; r < rows; r++)
        {
            for (int g = 0; g < gateCount; g++)
                part.Slice(r * width + g * units, units).CopyTo(all.Slice((row + r) * full + g * h + first, units));
        }
    }

    /// <summary>
    /// Packs each part's rows of W_hh (forward) and columns of W_hh (backward) when the weights changed since the last
    /// pass (an optimizer step: into the same memory); gathers its biases and peepholes; sizes its step buffers.
    /// </summary>
    private void PrepareTraining(LayerWeights weights, PackedLayout layout)
    {
        ParameterStore<float> store = weights.Store;
        if (trainingParts.Length != parts.Length)
        {
            trainingParts = new TrainingPart[parts.Length];
            for (int q = 0; q < parts.Length; q++)
                trainingParts[q] = new TrainingPart();
        }
        if (trainingVersion != store.Version)
        {
            ReadOnlySpan<float> recurrent = store.Value(weights.Recurrent);
            for (int q = 0; q < parts.Length; q++)
            {
                TrainingPart part = trainingParts[q];
                int first = bounds[q], units = bounds[q + 1] - first, width = gateCount * units, h = hiddenSize;
                if (part.RowValues.Length != width * h)
                    part.RowValues = new float[width * h];
                for (int g = 0; g < gateCount; g++)
                    recurrent.Slice((g * h + first) * h, units * h).CopyTo(part.RowValues.AsSpan(g * units * h, units * h));
                if (part.RecurrentRows is null)
                    part.RecurrentRows = Gemm.Pack(true, h, width, part.RowValues, h);
                else
                    Gemm.PackInto(part.RecurrentRows, true, part.RowValues, h);
                // op(B) = W_hh [G·H, H] itself, its columns [first, first + units).
                ReadOnlySpan<float> columns = recurrent.Slice(first);
                if (part.RecurrentColumns is null)
                    part.RecurrentColumns = Gemm.Pack(false, gateCount * h, units, columns, h);
                else
                    Gemm.PackInto(part.RecurrentColumns, false, columns, h);
            }
            trainingVersion = store.Version;
        }
        for (int q = 0; q < parts.Length; q++)
        {
            // Biases and peepholes are read as they are now at every pass, as the split by sequences reads them.
            int first = bounds[q], units = bounds[q + 1] - first, width = gateCount * units;
            if (weights.RecurrentBias is ParameterView recurrentBias)
                GatherGates(store.Value(recurrentBias), gateCount, first, units, ref trainingParts[q].RecurrentBias);
            if (weights.Peephole is ParameterView peephole)
                GatherGates(store.Value(peephole), 3, first, units, ref trainingParts[q].Peepholes);
            Workspace.Ensure(ref trainingParts[q].Gates, layout.SequenceCount * width);
            if (cell == CellType.Gru)
                Workspace.Ensure(ref trainingParts[q].Projection, layout.SequenceCount * width);
        }
    }

    /// <summary>Units [first, first + units) of each of <paramref name="blocks"/> blocks of H values, into [blocks·units].</summary>
    private void GatherGates(ReadOnlySpan<float> all, int blocks, int first, int units, ref float[] part)
    {
        if (part.Length != blocks * units)
            part = new float[blocks * units];
        for (int g = 0; g < blocks; g++)
            all.Slice(g * hiddenSize + first, units).CopyTo(part.AsSpan(g * units, units));
    }

    /// <summary>One part's packed W_hh for training and its buffers of one step [B, G·units].</summary>
    private sealed class TrainingPart
    {
        public float[] RowValues = Array.Empty<float>();     // the part's rows of W_hh [G·units, H], gathered for packing
        public PackedMatrix? RecurrentRows;                  // op(B) = those rows transposed [H, G·units]: forward
        public PackedMatrix? RecurrentColumns;               // op(B) = W_hh's columns of the part [G·H, units]: backward
        public float[] RecurrentBias = Array.Empty<float>(); // GRU: b_hh of the part [G·units]
        public float[] Peepholes = Array.Empty<float>();     // peephole LSTM: p_i, p_f, p_o of the part [3·units]
        public float[] Gates = Array.Empty<float>();
        public float[] Projection = Array.Empty<float>();
    }
}
