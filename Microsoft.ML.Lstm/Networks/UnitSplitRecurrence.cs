using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The forward pass of one recurrent layer over a packed batch on several threads that split the hidden units rather
/// than the sequences: each thread computes a part of the units for every row of each step. A batch of one sequence has
/// nothing else to split; a batch of few rows per thread whose W_hh is larger than a core's L2 gains from it too, since
/// each core then reads only its part of W_hh every step (from its own cache when the part fits there), where a split by
/// sequences has every core stream all of W_hh for its few rows (<see cref="RecurrentLayer{T}"/> picks between them).
/// </summary>
/// <remarks>
/// <para>
/// Part q owns units [u_q, u_{q+1}): the rows g·H + u of W_ih, W_hh and the biases for each gate g, packed once per change
/// of the weights into matrices of their own (float, or compressed from the layer's compressed weights), so that a core
/// keeps its part of the weights in its own cache. A task is (part, step): step 0 also projects the part's inputs of all
/// rows, x·W_ih⁽q⁾ᵀ + b⁽q⁾ [N, G·units]; step t adds h_{t−1}·W_hh⁽q⁾ᵀ for the step's b_t rows and runs the cell's kernel on
/// the part's units of those rows, writing its columns of h_t and c_t (rows H apart). A step's tasks need every part's
/// previous step, so the threads meet once per step.
/// </para>
/// <para>
/// No thread waits on a task nobody has started: each thread claims the next task of whichever part is ready (its own
/// first), so a worker that is late or absent only leaves its tasks to the others, and one thread alone runs everything.
/// A thread spins only while a ready step's last task runs on another thread. When that wait passes
/// <see cref="StallMicroseconds"/> plus <see cref="StallTaskMultiple"/> times the time the waiting thread's own last task
/// took (the other thread's task is as large, and started before ours ended; so it was preempted: on a machine with more
/// runnable threads than cores, it would be at every step), the waiting thread takes every task left in the pass and the others stop claiming,
/// and the next passes, up to <see cref="CallsAloneAfterStall"/> of them and about <see cref="AloneMillisecondsAfterStall"/>
/// in all, run on the calling thread alone, so a busy machine costs at most one preemption per pass, or per that many
/// short passes, rather than one per step.
/// </para>
/// <para>
/// The bits are those of the one-thread path: each gate's pre-activation is the same FMA chain (the GEMM sums every
/// element of C over the depth in one order, whatever rows and columns it computes with it), and the cell kernels work
/// unit by unit, with parts cut at multiples of <see cref="UnitAlignment"/> units so that each unit falls in the same
/// vector width (or scalar tail) as in the whole row.
/// </para>
/// </remarks>
internal sealed class UnitSplitRecurrence
{
    /// <summary>Parts start at multiples of this many units: the lanes of the widest vector (512 bits of floats).</summary>
    public const int UnitAlignment = 16;

    private readonly CellType cell;
    private readonly int gateCount, inputSize, hiddenSize;
    private readonly int[] bounds;          // part q owns units [bounds[q], bounds[q + 1])
    private readonly PartWeights[] parts;
    private readonly int[] nextStep;        // per part: the next step nobody has claimed (padded to its own cache line)
    private readonly int[] doneSteps;       // per part: steps finished (padded likewise)
    private int version = -1;
    private WeightCompression? compression;
    private volatile bool failed;
    private int soloThread;                 // the thread that took every remaining task after a stall, or −1
    private int callsAlone;                 // passes left to run on the calling thread alone after a stall

    private const int Stride = 16; // ints between two parts' counters: 64 bytes

    /// <summary>A wait on another thread's task longer than this means that thread is not running (a step's task takes a few µs).</summary>
    public const double StallMicroseconds = 50;

    /// <summary>Passes run on the calling thread alone after a pass in which a thread stalled, at most (see <see cref="AloneMillisecondsAfterStall"/>).</summary>
    public const int CallsAloneAfterStall = 16;

    /// <summary>
    /// How long, in passes as long as the one that stalled, the calling thread runs alone after a stall: a few one-row
    /// passes of hundreds of µs (up to <see cref="CallsAloneAfterStall"/>), none after a batch's pass of tens of ms, whose
    /// threads are tried again at the next pass (a stall still ends the sharing for the rest of its own pass).
    /// </summary>
    public const double AloneMillisecondsAfterStall = 5;

    private static readonly long AloneTicksAfterStall = (long)(AloneMillisecondsAfterStall * System.Diagnostics.Stopwatch.Frequency / 1e3);

    /// <summary>A split of <paramref name="hiddenSize"/> units into <paramref name="partCount"/> parts (see <see cref="PartsFor"/>).</summary>
    public UnitSplitRecurrence(CellType cell, int inputSize, int hiddenSize, int partCount)
    {
        if (partCount < 2 || partCount > PartsFor(hiddenSize, partCount))
            throw new ArgumentOutOfRangeException(nameof(partCount), partCount, $"{hiddenSize} units split into 2 to {PartsFor(hiddenSize, int.MaxValue)} parts.");
        this.cell = cell;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        gateCount = cell == CellType.Gru ? 3 : 4;
        bounds = new int[partCount + 1];
        int blocks = hiddenSize / UnitAlignment;
        for (int q = 1; q < partCount; q++)
            bounds[q] = (int)((long)blocks * q / partCount) * UnitAlignment;
        bounds[partCount] = hiddenSize;
        parts = new PartWeights[partCount];
        nextStep = new int[partCount * Stride];
        doneSteps = new int[partCount * Stride];
    }

    /// <summary>How many parts <paramref name="hiddenSize"/> units are cut into on <paramref name="threads"/> threads: each part at least <see cref="UnitAlignment"/> units.</summary>
    public static int PartsFor(int hiddenSize, int threads) => Math.Max(1, Math.Min(threads, hiddenSize / UnitAlignment));

    /// <summary>Units of each part, for tests: part q owns [bounds[q], bounds[q + 1]).</summary>
    internal ReadOnlySpan<int> Bounds => bounds;

    /// <summary>
    /// Runs the layer over the packed batch <paramref name="layout"/> of N rows: <paramref name="input"/> [N, I], the initial
    /// states [B, H] of the sorted sequences (cell empty for a GRU), writing h_t into <paramref name="output"/> [N, H] and,
    /// for an LSTM, c_t into <paramref name="cells"/> [N, H].
    /// </summary>
    public unsafe void Forward(
        LayerWeights weights, PackedLayout layout, ReadOnlySpan<float> input, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell,
        Span<float> output, Span<float> cells, int threads)
    {
        Prepare(weights, layout);
        fixed (float* inputPointer = input)
        fixed (float* hiddenPointer = initialHidden)
        fixed (float* cellPointer = initialCell)
        fixed (float* outputPointer = output)
        fixed (float* cellsPointer = cells)
        {
            Run(new Pass(this, layout, new(inputPointer, input.Length), new(hiddenPointer, initialHidden.Length),
                new(cellPointer, initialCell.Length), new(outputPointer, output.Length), new(cellsPointer, cells.Length)), threads);
        }
    }

    /// <summary>Runs every task of a pass on up to <paramref name="threads"/> threads (one after a recent stall).</summary>
    private void Run(Pass pass, int threads)
    {
        for (int q = 0; q < parts.Length; q++)
        {
            nextStep[q * Stride] = 0;
            doneSteps[q * Stride] = 0;
        }
        failed = false;
        soloThread = -1;
        int threadsNow = Math.Min(threads, parts.Length);
        if (callsAlone > 0)
        {
            callsAlone--;
            threadsNow = 1;
        }
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        ParallelParts.Run(threadsNow, pass, static (thread, pass) => pass.Owner.Work(thread, pass));
        if (soloThread >= 0)
        {
            long passTicks = Math.Max(1, System.Diagnostics.Stopwatch.GetTimestamp() - started);
            callsAlone = (int)Math.Min(CallsAloneAfterStall, AloneTicksAfterStall / passTicks);
        }
    }

    /// <summary>How long a thread waits on another's task, past <see cref="StallTaskMultiple"/> times its own last task, before it takes every task left (tests set 0); see <see cref="StallMicroseconds"/>.</summary>
    internal long StallTicks { get; set; } = (long)(StallMicroseconds * System.Diagnostics.Stopwatch.Frequency / 1e6);

    /// <summary>
    /// How many times its own last task's time a thread also waits before it calls another's task stalled (tests set 0).
    /// Four, not two: on a shared host a batch's task now and then takes two or three times as long as the one beside it
    /// without its thread being preempted, and at twice, a fifth to a third of lstm-a's and gru-a's inference passes on
    /// two threads went to one thread for the rest of the pass (benchmarks/RESULTS.md). A preemption (a scheduler slice,
    /// milliseconds) still passes four tasks of a few hundred µs, and a one-row pass's tasks take a few µs.
    /// </summary>
    internal int StallTaskMultiple { get; set; } = 4;

    /// <summary>Whether the last pass stalled and will be followed by passes on the calling thread alone (for tests).</summary>
    internal bool RunsAlone => callsAlone > 0;

    /// <summary>Claims and runs ready tasks, its own part's first, until every task is claimed (or another thread took them all).</summary>
    private void Work(int thread, Pass pass)
    {
        // A task is one part's step.
        int count = parts.Length, steps = pass.Layout.MaxLength;
        var spinner = new SpinWait();
        long waitingSince = 0, lastTaskTicks = 0, previousTaskTicks = 0;
        while (!failed)
        {
            int solo = Volatile.Read(ref soloThread);
            if (solo >= 0 && solo != thread)
                return;

            // A step is ready once every part has finished the step before it.
            int ready = int.MaxValue, unclaimed = 0;
            for (int q = 0; q < count; q++)
            {
                ready = Math.Min(ready, Volatile.Read(ref doneSteps[q * Stride]));
                if (Volatile.Read(ref nextStep[q * Stride]) < steps)
                    unclaimed++;
            }
            if (unclaimed == 0)
                return;

            bool worked = false;
            for (int i = 0; i < count && !worked; i++)
            {
                int q = (thread + i) % count;
                int t = Volatile.Read(ref nextStep[q * Stride]);
                if (t >= steps || t > ready || Interlocked.CompareExchange(ref nextStep[q * Stride], t + 1, t) != t)
                    continue;
                long started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    RunTask(q, t, pass);
                }
                catch
                {
                    failed = true; // the others stop waiting; ParallelParts rethrows this
                    throw;
                }
                Volatile.Write(ref doneSteps[q * Stride], t + 1);
                previousTaskTicks = lastTaskTicks;
                lastTaskTicks = System.Diagnostics.Stopwatch.GetTimestamp() - started;
                worked = true;
                spinner.Reset();
                waitingSince = 0;
            }
            if (worked)
                continue;
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (waitingSince == 0)
                waitingSince = now;
            else if (solo < 0 && now - waitingSince > StallTicks + StallTaskMultiple * Math.Max(lastTaskTicks, previousTaskTicks))
                Interlocked.CompareExchange(ref soloThread, thread, -1);
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Part q's step t over the step's rows: at t = 0 its input projection of every row first.</summary>
    private void RunTask(int q, int t, Pass pass)
    {
        PartWeights part = parts[q];
        PackedLayout layout = pass.Layout;
        int h = hiddenSize, units = part.Units, width = gateCount * units, first = bounds[q];
        int n = layout.TotalSteps, rows = layout.BatchSizes[t], row = layout.StepOffsets[t];
        Span<float> allGates = part.Gates.AsSpan(0, n * width);
        if (t == 0)
        {
            part.Input.MultiplyAddingBias(n, pass.Input.Read, part.Bias, allGates);
        }

        // The part's units of each row: `units` values from `first` on, rows H apart.
        int partSpan = (rows - 1) * h + units;
        Span<float> output = pass.Output.Write;
        ReadOnlySpan<float> hPrev = t == 0 ? pass.InitialHidden.Read.Slice(0, rows * h) : output.Slice(layout.StepOffsets[t - 1] * h, rows * h);
        Span<float> gates = allGates.Slice(row * width, rows * width);
        Span<float> hidden = output.Slice(row * h + first, partSpan);
        if (cell == CellType.Gru)
        {
            Span<float> projection = part.Projection.AsSpan(0, rows * width);
            part.Recurrent.MultiplyAddingBias(rows, hPrev, part.RecurrentBias, projection);
            GruKernels.ForwardStep<float>(gates, projection, hPrev.Slice(first, partSpan), gates, hidden, rows, units, h);
            return;
        }

        Span<float> cells = pass.Cells.Write;
        ReadOnlySpan<float> cPrev = t == 0 ? pass.InitialCell.Read.Slice(first, partSpan) : cells.Slice(layout.StepOffsets[t - 1] * h + first, partSpan);
        part.Recurrent.Multiply(rows, hPrev, 1f, gates);
        Span<float> cellOut = cells.Slice(row * h + first, partSpan);
        if (cell == CellType.PeepholeLstm)
            PeepholeLstmKernels.ForwardStep<float>(gates, part.Peepholes, cPrev, cellOut, hidden, rows, units, h);
        else
            LstmKernels.ForwardStep<float>(gates, cPrev, cellOut, hidden, rows, units, h);
    }

    /// <summary>Cuts the layer's weights into the parts' own, when they (or their compression) changed since the last pass; sizes the gate buffers.</summary>
    private void Prepare(LayerWeights weights, PackedLayout layout)
    {
        ParameterStore<float> store = weights.Store;
        if (version != store.Version || !ReferenceEquals(compression, store.Compression))
        {
            for (int q = 0; q < parts.Length; q++)
                parts[q] = Cut(weights, bounds[q], bounds[q + 1] - bounds[q], parts[q]);
            version = store.Version;
            compression = store.Compression;
        }
        foreach (PartWeights part in parts)
        {
            Workspace.Ensure(ref part.Gates, layout.TotalSteps * gateCount * part.Units);
            if (cell == CellType.Gru)
                Workspace.Ensure(ref part.Projection, layout.SequenceCount * gateCount * part.Units);
        }
    }

    private PartWeights Cut(LayerWeights weights, int first, int units, PartWeights? buffers)
    {
        ParameterStore<float> store = weights.Store;
        int width = gateCount * units;
        var rows = new int[width];
        for (int g = 0; g < gateCount; g++)
        {
            for (int u = 0; u < units; u++)
                rows[g * units + u] = g * hiddenSize + first + u;
        }
        float[] peepholes = Array.Empty<float>();
        if (weights.Peephole is ParameterView peephole)
        {
            // p_i, p_f, p_o [3H] → the part's [3·units].
            ReadOnlySpan<float> all = store.Value(peephole);
            peepholes = new float[3 * units];
            for (int g = 0; g < 3; g++)
                all.Slice(g * hiddenSize + first, units).CopyTo(peepholes.AsSpan(g * units, units));
        }
        return new PartWeights(
            units,
            CutWeight(store, weights.Input, rows, inputSize),
            CutWeight(store, weights.Recurrent, rows, hiddenSize),
            Gather(store.Value(weights.Bias), rows),
            weights.RecurrentBias is ParameterView recurrentBias ? Gather(store.Value(recurrentBias), rows) : Array.Empty<float>(),
            peepholes)
        {
            Gates = buffers?.Gates ?? Array.Empty<float>(),
            Projection = buffers?.Projection ?? Array.Empty<float>(),
        };
    }

    private static float[] Gather(ReadOnlySpan<float> values, int[] rows)
    {
        var gathered = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++)
            gathered[i] = values[rows[i]];
        return gathered;
    }

    /// <summary>The layer's parameters this split reads.</summary>
    internal readonly record struct LayerWeights(
        ParameterStore<float> Store, ParameterView Input, ParameterView Recurrent, ParameterView Bias, ParameterView? RecurrentBias, ParameterView? Peephole);

    /// <summary>One part's weights, its gates buffer [N, G·units] and, for a GRU, its h-projection of one step [B, G·units].</summary>
    private sealed class PartWeights(int units, PackedWeight input, PackedWeight recurrent, float[] bias, float[] recurrentBias, float[] peepholes)
    {
        public int Units => units;

        public PackedWeight Input => input;

        public PackedWeight Recurrent => recurrent;

        public float[] Bias => bias;

        public float[] RecurrentBias => recurrentBias;

        public float[] Peepholes => peepholes;

        public float[] Gates = Array.Empty<float>();

        public float[] Projection = Array.Empty<float>();
    }

    /// <summary>
    /// Rows <paramref name="rows"/> of the [·, depth] matrix <paramref name="view"/>, as op(B) = those rows transposed: packed
    /// for the float GEMM or, when the layer's weights are compressed, compressed from the same rows of theirs.
    /// </summary>
    private static PackedWeight CutWeight(ParameterStore<float> store, ParameterView view, int[] rows, int depth)
    {
        if (store.Compression?.FindValues(view) is QuantizedMatrix quantized)
            return new PackedWeight(CompressedGemm.Pack(quantized.SelectRows(rows)));
        ReadOnlySpan<float> all = store.Value(view);
        var values = new float[rows.Length * depth];
        for (int i = 0; i < rows.Length; i++)
            all.Slice(rows[i] * depth, depth).CopyTo(values.AsSpan(i * depth, depth));
        return new PackedWeight(Gemm.Pack(true, depth, rows.Length, values, depth));
    }

    /// <summary>One pass as the threads see it: the spans, pinned for the pass.</summary>
    private readonly record struct Pass(
        UnitSplitRecurrence Owner, PackedLayout Layout, PinnedSpan<float> Input, PinnedSpan<float> InitialHidden, PinnedSpan<float> InitialCell,
        PinnedSpan<float> Output, PinnedSpan<float> Cells);
}
