using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Moves a head's rows between the order it computes them in (sorted sequences, or packed steps) and the caller's
/// order (sequence after sequence as the batch was given, each sequence's steps in time order).
/// </summary>
internal sealed class OutputOrder
{
    private int[] toCaller = Array.Empty<int>();
    private int rows;

    /// <summary>Maps one row per sequence (sorted order) to the caller's order.</summary>
    public void ForSequences(PackedLayout layout)
    {
        rows = layout.SequenceCount;
        layout.SortedToOriginal.CopyTo(Workspace.Ensure(ref toCaller, rows));
    }

    /// <summary>Maps one row per packed step to the caller's order.</summary>
    public void ForSteps(PackedLayout layout)
    {
        rows = layout.TotalSteps;
        layout.FillCallerStepRows(Workspace.Ensure(ref toCaller, rows));
    }

    /// <summary>Copies rows [rows, width] from the computed order into the caller's.</summary>
    public void ToCaller<T>(ReadOnlySpan<T> computed, Span<T> caller, int width)
    {
        ReadOnlySpan<int> map = toCaller.AsSpan(0, rows);
        for (int r = 0; r < map.Length; r++)
            computed.Slice(r * width, width).CopyTo(caller.Slice(map[r] * width, width));
    }

    /// <summary>Copies rows [rows, width] from the caller's order back into the computed one.</summary>
    public void FromCaller<T>(ReadOnlySpan<T> caller, Span<T> computed, int width)
    {
        ReadOnlySpan<int> map = toCaller.AsSpan(0, rows);
        for (int r = 0; r < map.Length; r++)
            caller.Slice(map[r] * width, width).CopyTo(computed.Slice(r * width, width));
    }
}
