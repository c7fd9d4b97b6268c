using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests;

public class PackedLayoutTests
{
    [Fact]
    public void SortsLongestFirstAndShrinksTheBatch()
    {
        var layout = PackedLayout.FromLengths(new[] { 2, 4, 1, 4 });
        Assert.Equal(new[] { 4, 4, 2, 1 }, layout.Lengths);
        Assert.Equal(new[] { 1, 3, 0, 2 }, layout.SortedToOriginal);
        Assert.Equal(new[] { 4, 3, 2, 2 }, layout.BatchSizes);
        Assert.Equal(new[] { 0, 4, 7, 9, 11 }, layout.StepOffsets);
        Assert.Equal(11, layout.TotalSteps);
    }

    [Fact]
    public void ReversedRowsStartEachSequenceAtItsOwnLastElement()
    {
        var layout = PackedLayout.FromLengths(new[] { 3, 1 });
        // Packed rows: t0 → (s0, s1), t1 → s0, t2 → s0.
        Assert.Equal(new[] { 3, 1, 2, 0 }, layout.ReversedRows);
        var once = new int[layout.TotalSteps];
        for (int r = 0; r < once.Length; r++)
            once[r] = layout.ReversedRows[layout.ReversedRows[r]];
        Assert.Equal(Enumerable.Range(0, layout.TotalSteps), once);
    }

    [Fact]
    public void RejectsEmptySequences()
    {
        var error = Assert.Throws<ArgumentException>(() => PackedLayout.FromLengths(new[] { 2, 0 }));
        Assert.Contains("Sequence 1", error.Message);
    }
}
