namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// How a batch of variable-length sequences lies in memory: sorted by length, longest first, and packed
/// time-major with no padding (PyTorch's PackedSequence). Step t occupies packed rows
/// [StepOffsets[t], StepOffsets[t] + BatchSizes[t]); row StepOffsets[t] + s holds sequence s (in sorted
/// order) at time t. Only the first BatchSizes[t] sequences are still running at step t, and because the
/// sequences are sorted, the sequences running at step t are the first rows of step t−1 too.
/// </summary>
internal sealed class PackedLayout
{
    private int[]? reversedRows;

    private PackedLayout(int[] lengths, int[] sortedToOriginal)
    {
        Lengths = lengths;
        SortedToOriginal = sortedToOriginal;
        SequenceCount = lengths.Length;
        MaxLength = lengths.Length == 0 ? 0 : lengths[0];
        BatchSizes = new int[MaxLength];
        StepOffsets = new int[MaxLength + 1];
        for (int t = 0; t < MaxLength; t++)
        {
            int running = 0;
            while (running < lengths.Length && lengths[running] > t)
                running++;
            BatchSizes[t] = running;
            StepOffsets[t + 1] = StepOffsets[t] + running;
        }
        TotalSteps = StepOffsets[MaxLength];
    }

    /// <summary>Number of sequences in the batch (B).</summary>
    public int SequenceCount { get; }

    /// <summary>Length of the longest sequence (T).</summary>
    public int MaxLength { get; }

    /// <summary>Sum of all lengths: the number of packed rows (N).</summary>
    public int TotalSteps { get; }

    /// <summary>Lengths in sorted order, longest first [B].</summary>
    public int[] Lengths { get; }

    /// <summary>Sequences still running at each step [T]; non-increasing.</summary>
    public int[] BatchSizes { get; }

    /// <summary>First packed row of each step [T+1]; the last entry is N.</summary>
    public int[] StepOffsets { get; }

    /// <summary>For each sorted position, the index of the sequence in the order the caller gave [B].</summary>
    public int[] SortedToOriginal { get; }

    /// <summary>Packed row of sequence <paramref name="sequence"/> (sorted order) at time <paramref name="step"/>.</summary>
    public int Row(int step, int sequence) => StepOffsets[step] + sequence;

    /// <summary>
    /// The permutation that reverses every sequence in place: packed row r of the reversed batch holds,
    /// for sequence s at reversed time τ, the original row of time Lengths[s]−1−τ. It has the same batch
    /// sizes, so a forward pass over the reversed batch is the backward direction of a bidirectional layer,
    /// each sequence starting at its own last element. The permutation is its own inverse.
    /// </summary>
    public int[] ReversedRows => reversedRows ??= BuildReversedRows();

    /// <summary>Creates the layout of sequences with the given lengths (in the caller's order); sorting is stable.</summary>
    public static PackedLayout FromLengths(ReadOnlySpan<int> lengths)
    {
        var order = new int[lengths.Length];
        var sortedLengths = new int[lengths.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] <= 0)
                throw new ArgumentException($"Sequence {i} has length {lengths[i]}; every sequence needs at least one step.", nameof(lengths));
            order[i] = i;
            sortedLengths[i] = lengths[i];
        }
        // Stable descending sort keeps equal-length sequences in the caller's order, which keeps results deterministic.
        var keys = new long[lengths.Length];
        for (int i = 0; i < keys.Length; i++)
            keys[i] = ((long)(int.MaxValue - lengths[i]) << 32) | (uint)i;
        Array.Sort(keys, order);
        for (int i = 0; i < order.Length; i++)
            sortedLengths[i] = lengths[order[i]];
        return new PackedLayout(sortedLengths, order);
    }

    private int[] BuildReversedRows()
    {
        var rows = new int[TotalSteps];
        for (int t = 0; t < MaxLength; t++)
        {
            for (int s = 0; s < BatchSizes[t]; s++)
                rows[StepOffsets[t] + s] = StepOffsets[Lengths[s] - 1 - t] + s;
        }
        return rows;
    }

    /// <summary>
    /// For each packed row, the row it has when every sequence's steps are laid out in time order, sequence after
    /// sequence in the caller's order (how per-step outputs reach the caller) [N].
    /// </summary>
    public void FillCallerStepRows(Span<int> callerRows)
    {
        // Caller row = (first row of the sequence in caller order) + t.
        Span<int> start = SequenceCount <= 512 ? stackalloc int[SequenceCount] : new int[SequenceCount];
        for (int s = 0; s < SequenceCount; s++)
            start[SortedToOriginal[s]] = Lengths[s];
        int next = 0;
        for (int original = 0; original < SequenceCount; original++)
            (start[original], next) = (next, next + start[original]);
        for (int t = 0; t < MaxLength; t++)
        {
            for (int s = 0; s < BatchSizes[t]; s++)
                callerRows[Row(t, s)] = start[SortedToOriginal[s]] + t;
        }
    }

    /// <summary>Copies rows of <paramref name="source"/> [N, width] into <paramref name="destination"/> so that destination row r = source row rows[r].</summary>
    public static void GatherRows<T>(ReadOnlySpan<int> rows, ReadOnlySpan<T> source, Span<T> destination, int width)
    {
        for (int r = 0; r < rows.Length; r++)
            source.Slice(rows[r] * width, width).CopyTo(destination.Slice(r * width, width));
    }
}
