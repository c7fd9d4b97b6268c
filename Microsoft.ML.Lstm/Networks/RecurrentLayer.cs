using System.Numerics;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// One direction of an LSTM, peephole LSTM or GRU layer over a packed batch (the cell equations are in
/// <see cref="LstmKernels"/>, <see cref="PeepholeLstmKernels"/> and <see cref="GruKernels"/>).
/// Parameters, in PyTorch's layout with G gates (LSTM 4: i, f, g, o; GRU 3: r, z, n):
/// <c>{name}.weight_ih</c> [G·H, I], <c>{name}.weight_hh</c> [G·H, H], and <c>{name}.bias</c> [4H]
/// (the LSTM's b_ih + b_hh) or, for the GRU, <c>{name}.bias_ih</c> and <c>{name}.bias_hh</c> [3H]
/// (b_hn sits inside r ⊙ (…), so the two cannot merge); a peephole LSTM adds
/// <c>{name}.weight_peephole</c> [3H] (p_i, p_f, p_o).
/// <para>
/// Forward: the input projection X [N, I] · W_ihᵀ of all N steps (one GEMM, or one per step of each range of
/// sequences when several threads share the batch; scoring, which keeps none of it, a chunk of steps or one step at a
/// time, into a buffer of that size); the recurrence then runs step by step on the first b_t
/// sorted sequences only, adding h_{t−1}·W_hhᵀ and applying the fused kernel. Both weights are packed for the
/// GEMM only when they have changed, so inference packs nothing; h_{t−1} and c_{t−1} are read where step t−1
/// wrote them (training also copies h_{t−1}, which makes ∂W_hh one GEMM). Backward mirrors it: per step only the
/// kernel, whose gate gradients overwrite the activations, and ∂gates·W_hh, then ∂W_ih, ∂W_hh and ∂X as one
/// GEMM each over all rows. With several threads the sequences are split into contiguous ranges of about equal
/// total length; each thread runs every step of its own range, so the threads never wait on each other inside
/// the recurrence, and every value is computed exactly as with one thread.
/// </para>
/// <para>
/// States: h_{−1} (and c_{−1}) start each sorted sequence from the given initial state, or zero; h_n and c_n are each
/// sequence's state after its own last step. Backward, ∂h_n and ∂c_n seed each sequence's carried gradient at its last
/// step (nothing touches that slot before), and what flows out of step 0 is ∂h_{−1} and ∂c_{−1}.
/// </para>
/// </summary>
internal sealed unsafe class RecurrentLayer<T> : IRecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CellType cell;
    private readonly int gateCount;
    private readonly int threads;
    private readonly ParameterStore<T> store;
    private readonly ParameterView inputWeight, recurrentWeight, bias;
    private readonly ParameterView? recurrentBias, peephole;
    private readonly WeightProduct<T> inputForward, recurrentForward, recurrentBackward;

    private T[] gates = Array.Empty<T>();            // [N, G·H] pre-activations, then activations, then (backward) their gradients; scoring: a chunk of steps' rows
    private T[] hiddenProjection = Array.Empty<T>(); // GRU: h_{t−1}·W_hhᵀ + b_hh [N, 3H], then (backward) its gradient; scoring: one step's [B, 3H]
    private T[] cells = Array.Empty<T>();            // LSTM: c_t [N, H]; scoring on ranges: two steps' [2B, H] (CellRow)
    private T[] initialCells = Array.Empty<T>();     // LSTM: c_{−1}, each sorted sequence's initial cell state [S, H]
    private T[] previousHidden = Array.Empty<T>();   // h_{t−1} [N, H]: makes ∂W_hh one GEMM; its first B rows hold h_{−1}
    private T[] finalHidden = Array.Empty<T>(), finalCell = Array.Empty<T>();                     // h_n, c_n [B, H]
    private T[] finalHiddenGradient = Array.Empty<T>(), finalCellGradient = Array.Empty<T>();     // ∂h_n, ∂c_n [B, H]
    private T[] initialHiddenGradient = Array.Empty<T>(), initialCellGradient = Array.Empty<T>(); // ∂h_{−1}, ∂c_{−1} [B, H]
    private T[][] threadScratch = Array.Empty<T[]>(); // per range: ∂h_next, ∂c_next, ∂h [range, H]
    private readonly int[] rangeBounds;              // range r runs sorted sequences [rangeBounds[r], rangeBounds[r + 1])
    private bool projectInRanges;
    private bool keepAllCells;                       // c_t of every row (training, and the unit split), else two steps' rows
    private int lastSequenceCount;
    private readonly UnitSplitRecurrence? unitSplit; // float scoring on several threads with the units split (SplitsUnits)

    /// <summary>
    /// Registers the parameters under <paramref name="name"/> and initialises them from <paramref name="random"/>,
    /// or leaves them at zero when it is null (a network about to be loaded).
    /// </summary>
    public RecurrentLayer(ParameterStore<T> store, string name, CellType cell, int inputSize, int hiddenSize, Random? random, int threads)
    {
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"Input ({inputSize}) and hidden ({hiddenSize}) sizes must be positive.");
        this.store = store;
        this.cell = cell;
        this.threads = Math.Max(1, threads);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        gateCount = cell == CellType.Gru ? 3 : 4;
        int width = gateCount * hiddenSize;

        inputWeight = store.Add(name + ".weight_ih", width, inputSize);
        recurrentWeight = store.Add(name + ".weight_hh", width, hiddenSize);
        if (cell == CellType.Gru)
        {
            bias = store.Add(name + ".bias_ih", width);
            recurrentBias = store.Add(name + ".bias_hh", width);
        }
        else
        {
            bias = store.Add(name + ".bias", width);
            if (cell == CellType.PeepholeLstm)
                peephole = store.Add(name + ".weight_peephole", 3 * hiddenSize);
        }

        if (random is not null)
        {
            // Xavier for the input weights and an orthogonal block per gate for the recurrent ones; the LSTM's
            // forget bias starts at 1 so the cell remembers by default early in training.
            for (int g = 0; g < gateCount; g++)
            {
                Initialization.XavierUniform(store.Value(inputWeight).Slice(g * hiddenSize * inputSize, hiddenSize * inputSize), inputSize, hiddenSize, random);
                Initialization.Orthogonal(store.Value(recurrentWeight).Slice(g * hiddenSize * hiddenSize, hiddenSize * hiddenSize), hiddenSize, random);
            }
            if (cell != CellType.Gru)
                store.Value(bias).Slice(hiddenSize, hiddenSize).Fill(T.One);
        }

        rangeBounds = new int[this.threads + 1];
        inputForward = new WeightProduct<T>(store, inputWeight, transpose: true, depth: inputSize, columns: width);
        recurrentForward = new WeightProduct<T>(store, recurrentWeight, transpose: true, depth: hiddenSize, columns: width);
        recurrentBackward = new WeightProduct<T>(store, recurrentWeight, transpose: false, depth: width, columns: hiddenSize);
        if (typeof(T) == typeof(float) && UnitSplitRecurrence.PartsFor(hiddenSize, this.threads) > 1)
            unitSplit = new UnitSplitRecurrence(cell, inputSize, hiddenSize, UnitSplitRecurrence.PartsFor(hiddenSize, this.threads));
    }

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int OutputSize => HiddenSize;

    /// <inheritdoc />
    public int HiddenSize { get; }

    /// <inheritdoc />
    public int Directions => 1;

    /// <inheritdoc />
    public bool HasCell => cell != CellType.Gru;

    /// <inheritdoc />
    public ReadOnlySpan<T> FinalHidden => finalHidden.AsSpan(0, lastSequenceCount * HiddenSize);

    /// <inheritdoc />
    public ReadOnlySpan<T> FinalCell => HasCell ? finalCell.AsSpan(0, lastSequenceCount * HiddenSize) : ReadOnlySpan<T>.Empty;

    /// <inheritdoc />
    public ReadOnlySpan<T> InitialHiddenGradient => initialHiddenGradient.AsSpan(0, lastSequenceCount * HiddenSize);

    /// <inheritdoc />
    public ReadOnlySpan<T> InitialCellGradient => HasCell ? initialCellGradient.AsSpan(0, lastSequenceCount * HiddenSize) : ReadOnlySpan<T>.Empty;

    /// <inheritdoc />
    public void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training) =>
        Forward(layout, input, output, training, ReadOnlySpan<T>.Empty, ReadOnlySpan<T>.Empty);

    /// <inheritdoc />
    public void Backward(PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        Backward(layout, input, outputGradient, inputGradient, ReadOnlySpan<T>.Empty, ReadOnlySpan<T>.Empty);

    /// <inheritdoc />
    public void Forward(PackedLayout layout, ReadOnlySpan<T> input, Span<T> output, bool training, ReadOnlySpan<T> initialHidden, ReadOnlySpan<T> initialCell)
    {
        int n = layout.TotalSteps, h = HiddenSize, width = gateCount * h, b = layout.SequenceCount;
        CheckState(layout, initialHidden, initialCell, "initial state");
        lastSequenceCount = b;
        // Training keeps h_{t−1} of every step for the weight gradient; otherwise h_{t−1} and c_{t−1} are read
        // where step t−1 wrote them, and these buffers hold only the initial state.
        int kept = training ? n * h : b * h;
        CopyOrClear(initialHidden, Workspace.Ensure(ref previousHidden, kept).Slice(0, b * h));
        bool splitsUnits = SplitsUnits(layout, training);
        if (cell == CellType.Gru)
            Workspace.Ensure(ref hiddenProjection, (training ? n : b) * width); // scoring reads a step's projection only in that step
        else
        {
            // Scoring reads c_{t−1} only at step t, and each sequence's last c_t: two steps' rows hold them (CellRow).
            keepAllCells = training || splitsUnits;
            Workspace.Ensure(ref cells, (keepAllCells ? n : 2 * b) * h);
            CopyOrClear(initialCell, Workspace.Ensure(ref initialCells, b * h));
        }

        if (splitsUnits)
        {
            // Scoring one sequence, or few per thread, on several threads: they share each step, the hidden units cut between them.
            unitSplit!.Forward(
                Weights, layout, AsFloats(input), AsFloats(previousHidden.AsSpan(0, b * h)), HasCell ? AsFloats(initialCells.AsSpan(0, b * h)) : default,
                AsFloats(output), HasCell ? AsFloats(cells.AsSpan(0, n * h)) : default, threads);
        }
        else
        {
            // The input projections gates = X·W_ihᵀ + b, stored over b rather than a pass writing b over the gates first.
            // Training keeps them for every row (the backward pass writes their gradients over them): on one range all
            // steps as one GEMM, on several each range its own rows, so that they are made in the cache of the core that
            // reads them. Scoring keeps only what the recurrence is about to read: on one range a chunk of steps at a
            // time (ProjectChunk), on several each range its rows of one step, in a buffer of that size. Each row has the
            // bits either way: the GEMM gives every row the bits of that row alone.
            projectInRanges = Ranges(layout) > 1;
            int gateRows = training ? n : projectInRanges ? b : Math.Min(n, Math.Max(b, ScoringChunkRows));
            Workspace.Ensure(ref gates, gateRows * width);
            inputForward.Prepare();

            recurrentForward.Prepare();
            fixed (T* inputPointer = input)
            fixed (T* outputPointer = output)
                RunOverRanges(new Pass(this, layout, training, new(inputPointer, input.Length), new(outputPointer, output.Length)), static (range, pass) => pass.Layer.ForwardRange(range, pass));
        }

        // h_n and c_n: each sequence's state after its own last step.
        Span<T> hiddenOut = Workspace.Ensure(ref finalHidden, b * h);
        Span<T> cellOut = HasCell ? Workspace.Ensure(ref finalCell, b * h) : Span<T>.Empty;
        for (int s = 0; s < b; s++)
        {
            int lastStep = layout.Lengths[s] - 1, last = layout.Row(lastStep, s);
            output.Slice(last * h, h).CopyTo(hiddenOut.Slice(s * h, h));
            if (HasCell)
                cells.AsSpan(CellRow(layout, lastStep, last) * h, h).CopyTo(cellOut.Slice(s * h, h));
        }
    }

    /// <inheritdoc />
    public void Backward(
        PackedLayout layout, ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient,
        ReadOnlySpan<T> finalHiddenGradient, ReadOnlySpan<T> finalCellGradient)
    {
        int n = layout.TotalSteps, h = HiddenSize, width = gateCount * h, b = layout.SequenceCount;
        CheckState(layout, finalHiddenGradient, finalCellGradient, "final state's gradient");
        // Each step's gate gradients overwrite its activations, which nothing reads again (the kernels read a
        // row's values before they write its gradients): BPTT keeps one [N, G·H] buffer, not two.
        Span<T> dGates = gates.AsSpan(0, n * width);
        Workspace.Ensure(ref initialHiddenGradient, b * h);
        Workspace.Ensure(ref initialCellGradient, b * h);
        // ∂h_n and ∂c_n enter each sequence at its last step, where the range workers start its ∂h_next and ∂c_next.
        CopyOrClear(finalHiddenGradient, Workspace.Ensure(ref this.finalHiddenGradient, b * h));
        CopyOrClear(finalCellGradient, Workspace.Ensure(ref this.finalCellGradient, b * h));

        recurrentBackward.Prepare();
        fixed (T* outputGradientPointer = outputGradient)
            RunOverRanges(new Pass(this, layout, true, new(outputGradientPointer, outputGradient.Length)), static (range, pass) => pass.Layer.BackwardRange(range, pass));
        if (peephole is not null)
        {
            // Summed here over all rows in row order, not by the kernels per range of sequences, whose sums would
            // depend on how many threads ran: ∂p_i = Σ ∂a_i ⊙ c_{t−1}, ∂p_f = Σ ∂a_f ⊙ c_{t−1}, ∂p_o = Σ ∂a_o ⊙ c_t.
            Span<T> peepholeGradient = store.Gradient(peephole);
            Span<T> dInput = peepholeGradient.Slice(0, h), dForget = peepholeGradient.Slice(h, h), dOutput = peepholeGradient.Slice(2 * h, h);
            for (int t = 0; t < layout.MaxLength; t++)
            {
                int first = layout.Row(t, 0), count = layout.BatchSizes[t];
                ReadOnlySpan<T> stepCPrev = PreviousCells(layout, t, first, 0, count * h);
                for (int row = first; row < first + count; row++)
                {
                    ReadOnlySpan<T> rowGradients = dGates.Slice(row * width, width);
                    ReadOnlySpan<T> cPrev = stepCPrev.Slice((row - first) * h, h), c = cells.AsSpan(row * h, h);
                    System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(rowGradients.Slice(0, h), cPrev, dInput, dInput);
                    System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(rowGradients.Slice(h, h), cPrev, dForget, dForget);
                    System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(rowGradients.Slice(3 * h, h), c, dOutput, dOutput);
                }
            }
        }

        // Weight gradients over all steps at once.
        ReadOnlySpan<T> dRecurrent = cell == CellType.Gru ? hiddenProjection.AsSpan(0, n * width) : dGates;
        if (cell == CellType.Gru)
        {
            // The reset and update gates' pre-activation gradients are the same for both projections (GruKernels writes
            // dr and dz into both), so their rows of ∂W_ih and ∂W_hh share ∂gatesᵀ as the LSTM's do: one pass packs each
            // block of it once for both. The candidate's rows differ (∂W_hh's takes dn ⊙ r) and run apart. Every element
            // is the same FMA chain as in two whole products (same bits): only the rows are grouped otherwise.
            int shared = 2 * h;
            Span<T> dInputWeight = store.Gradient(inputWeight), dRecurrentWeight = store.Gradient(recurrentWeight);
            Gemm.MultiplyPair(
                true, shared, InputSize, h, n, T.One, dGates, width,
                input, InputSize, dInputWeight, InputSize, previousHidden, h, dRecurrentWeight, h, T.One, threads);
            Gemm.Multiply(true, false, h, InputSize, n, T.One, dGates.Slice(shared), width, input, InputSize, T.One, dInputWeight.Slice(shared * InputSize), InputSize, threads);
            Gemm.Multiply(true, false, h, h, n, T.One, dRecurrent.Slice(shared), width, previousHidden, h, T.One, dRecurrentWeight.Slice(shared * h), h, threads);
        }
        else
        {
            // ∂W_ih = ∂gatesᵀ·X and ∂W_hh = ∂gatesᵀ·H_prev share ∂gatesᵀ (larger than any cache): one pass packs each
            // block of it once for both, with the same bits as two products.
            Gemm.MultiplyPair(
                true, width, InputSize, h, n, T.One, dGates, width,
                input, InputSize, store.Gradient(inputWeight), InputSize, previousHidden, h, store.Gradient(recurrentWeight), h, T.One, threads);
        }
        VectorMath.AddColumnSums<T>(dGates, n, width, store.Gradient(bias), threads);
        if (recurrentBias is not null)
            VectorMath.AddColumnSums(dRecurrent, n, width, store.Gradient(recurrentBias), threads);
        if (!inputGradient.IsEmpty)
            Gemm.Multiply(false, false, n, InputSize, width, T.One, dGates, width, store.Value(inputWeight), InputSize, T.Zero, inputGradient, InputSize, threads);
    }

    /// <summary>Runs the recurrence for the sorted sequences of one range, writing h_t into the pass's output.</summary>
    private void ForwardRange(int range, Pass pass)
    {
        PackedLayout layout = pass.Layout;
        int start = rangeBounds[range], end = rangeBounds[range + 1];
        int h = HiddenSize, width = gateCount * h;
        ReadOnlySpan<T> peepholes = peephole is null ? default : store.Value(peephole);
        if (projectInRanges && pass.Training)
        {
            for (int t = 0; t < layout.MaxLength && start < layout.BatchSizes[t]; t++)
            {
                int count = Math.Min(end, layout.BatchSizes[t]) - start, row = layout.Row(t, start);
                ProjectRows(pass.Input.Read, row, count, row);
            }
        }

        Span<T> output = pass.Output.Write;
        int projectedTo = 0, chunkRow = 0; // one range: the steps before projectedTo are projected, from gates row 0 = chunkRow
        for (int t = 0; t < layout.MaxLength; t++)
        {
            int stop = Math.Min(end, layout.BatchSizes[t]);
            if (stop <= start)
                break;
            int count = stop - start, row = layout.Row(t, start);
            // Where row's gates are: every row's own place in training, else a place in the chunk or step at hand.
            int gateRow;
            if (!projectInRanges)
            {
                if (t == projectedTo)
                    (projectedTo, chunkRow) = ProjectChunk(layout, t, pass.Input.Read, pass.Training);
                gateRow = row - chunkRow;
            }
            else if (!pass.Training)
                ProjectRows(pass.Input.Read, row, count, gateRow = row - layout.Row(t, 0));
            else
                gateRow = row;
            Span<T> hPrev = PreviousHidden(pass, t, row, start * h, count * h);
            Span<T> stepGates = gates.AsSpan(gateRow * width, count * width);
            Span<T> stepHidden = output.Slice(row * h, count * h);
            if (cell == CellType.Gru)
            {
                // Training keeps every step's projection for the backward pass; scoring reuses one step's rows, each range its own.
                Span<T> projection = hiddenProjection.AsSpan((pass.Training ? row : row - layout.Row(t, 0)) * width, count * width);
                recurrentForward.MultiplyAddingBias(count, hPrev, store.Value(recurrentBias!), projection);
                // The x-projection is read from the gates buffer before the kernel overwrites it with r, z, n.
                GruKernels.ForwardStep<T>(stepGates, projection, hPrev, stepGates, stepHidden, count, h);
                continue;
            }

            Span<T> cPrev = PreviousCells(layout, t, row, start * h, count * h);
            recurrentForward.Multiply(count, hPrev, T.One, stepGates);
            Span<T> stepCells = cells.AsSpan(CellRow(layout, t, row) * h, count * h);
            if (peephole is null)
                LstmKernels.ForwardStep<T>(stepGates, cPrev, stepCells, stepHidden, count, h);
            else
                PeepholeLstmKernels.ForwardStep<T>(stepGates, peepholes, cPrev, stepCells, stepHidden, count, h);
        }
    }

    /// <summary>
    /// The input projections of one range of sequences from step <paramref name="first"/> on: all the steps when
    /// <paramref name="training"/> (one GEMM, its rows in their own places), else as many as keep their gates within
    /// <see cref="ScoringChunkRows"/> rows (at least one step), from the start of the gates buffer, made just before the
    /// recurrence reads them. Returns the first step not projected and the row at the buffer's start.
    /// </summary>
    private (int Next, int FirstRow) ProjectChunk(PackedLayout layout, int first, ReadOnlySpan<T> input, bool training)
    {
        int last = first + 1, rows = layout.BatchSizes[first], most = training ? int.MaxValue : ScoringChunkRows;
        while (last < layout.MaxLength && rows + (long)layout.BatchSizes[last] <= most)
            rows += layout.BatchSizes[last++];
        int row = layout.Row(first, 0);
        ProjectRows(input, row, rows, training ? row : 0, threads);
        return (last, training ? 0 : row);
    }

    /// <summary>gates = X·W_ihᵀ + b for <paramref name="count"/> rows from <paramref name="row"/> on, into the gates buffer from <paramref name="gateRow"/> on.</summary>
    private void ProjectRows(ReadOnlySpan<T> input, int row, int count, int gateRow, int threads = 1)
    {
        int width = gateCount * HiddenSize;
        inputForward.MultiplyAddingBias(
            count, input.Slice(row * InputSize, count * InputSize), store.Value(bias), gates.AsSpan(gateRow * width, count * width), threads);
    }

    /// <summary>
    /// Rows of input projections a scoring pass on one range makes at a time: as many as fill the core's L2 (256 KiB
    /// when the OS does not say), so the recurrence reads them from there, and the buffer stays that small however long
    /// the batch.
    /// </summary>
    private int ScoringChunkRows =>
        (int)Math.Max(1, CpuDescription.Current.L2BytesOrAssumed / ((long)gateCount * HiddenSize * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));

    /// <summary>
    /// h_{t−1} for the <paramref name="length"/> values of step t from row <paramref name="row"/> on: the
    /// initial state at t = 0 (from <paramref name="initialOffset"/>), else where step t−1 wrote it, which
    /// training also copies into the kept h_{t−1} rows for the weight gradient.
    /// </summary>
    private Span<T> PreviousHidden(Pass pass, int t, int row, int initialOffset, int length)
    {
        if (t == 0)
            return previousHidden.AsSpan(initialOffset, length);
        Span<T> last = pass.Output.Write.Slice(PreviousRow(pass.Layout, t, row) * HiddenSize, length);
        if (pass.Training)
            last.CopyTo(previousHidden.AsSpan(row * HiddenSize, length));
        return last;
    }

    /// <summary>
    /// c_{t−1} for the <paramref name="length"/> values of step t from row <paramref name="row"/> on: the initial
    /// state at t = 0 (from <paramref name="initialOffset"/>), else where step t−1 wrote it, which in training stays
    /// there for the backward pass.
    /// </summary>
    private Span<T> PreviousCells(PackedLayout layout, int t, int row, int initialOffset, int length) =>
        t == 0 ? initialCells.AsSpan(initialOffset, length) : cells.AsSpan(CellRow(layout, t - 1, PreviousRow(layout, t, row)) * HiddenSize, length);

    /// <summary>
    /// Where the cells buffer holds c_t of <paramref name="row"/> (a row of step <paramref name="t"/>): the row itself when
    /// every row's is kept, else its sequence's place in step t's half of two steps' rows. A sequence's place is its
    /// sorted index, and a step after its last writes only longer sequences' places (lower indices), so its last c_t
    /// stays there until the pass ends.
    /// </summary>
    private int CellRow(PackedLayout layout, int t, int row) =>
        keepAllCells ? row : (t & 1) * layout.SequenceCount + (row - layout.Row(t, 0));

    /// <summary>The row of step t−1 that holds the same sorted sequence as row <paramref name="row"/> of step t.</summary>
    private static int PreviousRow(PackedLayout layout, int t, int row) => layout.Row(t - 1, 0) + (row - layout.Row(t, 0));

    /// <summary>Back through time for the sorted sequences of one range, last step first.</summary>
    private void BackwardRange(int range, Pass pass)
    {
        PackedLayout layout = pass.Layout;
        int start = rangeBounds[range], end = rangeBounds[range + 1];
        int h = HiddenSize, width = gateCount * h, size = end - start;
        // Scratch: ∂h and ∂c arriving from step t+1 (the kernels add ∂output_t to ∂h_next themselves). A sequence's
        // ∂h_next and ∂c_next start as ∂h_n and ∂c_n: nothing touches them before its last step.
        Span<T> scratch = Workspace.Ensure(ref threadScratch[range], 2 * size * h);
        Span<T> hiddenNext = scratch.Slice(0, size * h);
        Span<T> cellNext = scratch.Slice(size * h, size * h);
        finalHiddenGradient.AsSpan(start * h, size * h).CopyTo(hiddenNext);
        finalCellGradient.AsSpan(start * h, size * h).CopyTo(cellNext);
        ReadOnlySpan<T> peepholes = peephole is null ? default : store.Value(peephole);
        ReadOnlySpan<T> outputGradient = pass.Input.Read;

        for (int t = layout.MaxLength - 1; t >= 0; t--)
        {
            int stop = Math.Min(end, layout.BatchSizes[t]);
            if (stop <= start)
                continue;
            int count = stop - start, row = layout.Row(t, start);
            ReadOnlySpan<T> dy = outputGradient.Slice(row * h, count * h);
            Span<T> dStepGates = gates.AsSpan(row * width, count * width);
            ReadOnlySpan<T> stepGates = dStepGates;
            Span<T> dhPrevious = hiddenNext.Slice(0, count * h);

            if (cell == CellType.Gru)
            {
                Span<T> dProjection = hiddenProjection.AsSpan(row * width, count * width);
                GruKernels.BackwardStep<T>(
                    stepGates, dProjection, previousHidden.AsSpan(row * h, count * h),
                    dy, dhPrevious, dStepGates, dProjection, dhPrevious, count, h);
                recurrentBackward.Multiply(count, dProjection, T.One, dhPrevious);
            }
            else
            {
                ReadOnlySpan<T> cPrev = PreviousCells(layout, t, row, start * h, count * h);
                ReadOnlySpan<T> stepCells = cells.AsSpan(row * h, count * h);
                Span<T> dc = cellNext.Slice(0, count * h);
                if (peephole is null)
                    LstmKernels.BackwardStep<T>(stepGates, cPrev, stepCells, dy, dhPrevious, dc, dStepGates, count, h);
                else
                    PeepholeLstmKernels.BackwardStep<T>(stepGates, peepholes, cPrev, stepCells, dy, dhPrevious, dc, dStepGates, count, h);
                recurrentBackward.Multiply(count, dStepGates, T.Zero, dhPrevious);
            }
        }
        // What remains flowing out of step 0 is the gradient of the initial state.
        hiddenNext.CopyTo(initialHiddenGradient.AsSpan(start * h, size * h));
        cellNext.CopyTo(initialCellGradient.AsSpan(start * h, size * h));
    }

    /// <summary>
    /// Whether a pass runs on <see cref="UnitSplitRecurrence"/>: float scoring on several threads, with products of at least twice
    /// the multiply-adds the GEMM gives a thread (<see cref="GemmTuning.MinimumWorkPerThread"/>), so that a step or two at a
    /// time (<see cref="EncoderStepper{T}"/>) stays on the calling thread, and either scoring one sequence (there is no batch
    /// to split) or fewer than <see cref="UnitSplitRowsPerThread"/> sequences per thread with a W_hh larger than the core's
    /// L2 (<see cref="CpuDescription.L2Bytes"/>), which a split by sequences would have every core stream from L3 at every
    /// step for its few rows. Training keeps the split by sequences (a split by units with a second meeting per backward
    /// step measured slower: benchmarks/RESULTS.md, issue #15). Either way gives the same bits.
    /// </summary>
    internal bool SplitsUnits(PackedLayout layout, bool training) =>
        unitSplit is not null && !training
        && (layout.SequenceCount == 1 || (layout.SequenceCount < UnitSplitRowsPerThread * threads && RecurrentWeightExceedsL2))
        && (long)layout.TotalSteps * gateCount * HiddenSize * (InputSize + HiddenSize) >= 2 * GemmTuning.Current.MinimumWorkPerThread;

    /// <summary>
    /// Sequences per thread below which a batch whose W_hh passes the L2 splits its units rather than its sequences on
    /// several threads (measured on the (a) and (c) shapes of the benchmarks: see benchmarks/RESULTS.md, issue #15).
    /// </summary>
    internal const int UnitSplitRowsPerThread = 48;

    /// <summary>Whether W_hh in float [G·H, H] is larger than a core's L2 (256 KiB when the OS does not say).</summary>
    private bool RecurrentWeightExceedsL2 =>
        (long)gateCount * HiddenSize * HiddenSize * sizeof(float) > CpuDescription.Current.L2BytesOrAssumed;

    /// <summary>The layer's parameters as <see cref="UnitSplitRecurrence"/> reads them (float only).</summary>
    private UnitSplitRecurrence.LayerWeights Weights =>
        new((ParameterStore<float>)(object)store, inputWeight, recurrentWeight, bias, recurrentBias, peephole);

    private static Span<float> AsFloats(Span<T> values) => System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(values);

    private static ReadOnlySpan<float> AsFloats(ReadOnlySpan<T> values) => System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(values);

    /// <summary>How many ranges of sequences a pass over <paramref name="layout"/> runs: one per thread, at most one per sequence.</summary>
    private int Ranges(PackedLayout layout) => Math.Min(threads, layout.SequenceCount);

    /// <summary>
    /// Splits the sorted sequences into contiguous ranges of about equal total length, one per thread, and runs
    /// <paramref name="work"/>(range, pass) on each. One range runs on the calling thread, allocating nothing.
    /// </summary>
    private void RunOverRanges(Pass pass, Action<int, Pass> work)
    {
        PackedLayout layout = pass.Layout;
        int ranges = Ranges(layout);
        if (threadScratch.Length < ranges)
            Array.Resize(ref threadScratch, ranges);
        for (int r = 0; r < ranges; r++)
            threadScratch[r] ??= Array.Empty<T>();
        rangeBounds[0] = 0;
        long total = layout.TotalSteps, covered = 0;
        int next = 0;
        for (int r = 1; r < ranges; r++)
        {
            // Take at least one sequence, and leave at least one for each later range.
            long target = total * r / ranges;
            do
                covered += layout.Lengths[next++];
            while (next < layout.SequenceCount - (ranges - r) && covered < target);
            rangeBounds[r] = next;
        }
        rangeBounds[ranges] = layout.SequenceCount;
        ParallelParts.Run(ranges, pass, work);
    }

    /// <summary>Copies a given state, or zeroes the destination when none is given.</summary>
    private static void CopyOrClear(ReadOnlySpan<T> state, Span<T> destination)
    {
        if (state.IsEmpty)
            destination.Clear();
        else
            state.CopyTo(destination);
    }

    /// <summary>Checks that a state given for a batch is empty (zero) or holds [B, H] values, and a cell part only for an LSTM.</summary>
    private void CheckState(PackedLayout layout, ReadOnlySpan<T> hidden, ReadOnlySpan<T> cellState, string what)
    {
        int expected = layout.SequenceCount * HiddenSize;
        if (!hidden.IsEmpty && hidden.Length != expected)
            throw new ArgumentException($"The {what} has {hidden.Length} hidden values; the batch of {layout.SequenceCount} sequences needs {expected}.");
        if (!cellState.IsEmpty && (!HasCell || cellState.Length != expected))
            throw new ArgumentException(HasCell
                ? $"The {what} has {cellState.Length} cell values; the batch of {layout.SequenceCount} sequences needs {expected}."
                : $"A GRU has no cell state, but the {what} gives {cellState.Length} cell values.");
    }

    /// <summary>
    /// One pass over a batch as the range workers see it: the layer, the layout and the caller's spans, pinned
    /// for the pass. Forward reads <see cref="Input"/> and writes <see cref="Output"/>; backward reads ∂output
    /// through <see cref="Input"/>.
    /// </summary>
    private readonly record struct Pass(RecurrentLayer<T> Layer, PackedLayout Layout, bool Training, PinnedSpan<T> Input, PinnedSpan<T> Output = default);
}
