namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The LSTM cell's step (<see cref="LstmKernels.ForwardUnits(Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int, int)"/>)
/// on each block of units whose recurrent product <see cref="GemmDriver{TKernel}.MultiplyByUnitGroups{TCells}"/> has just finished.
/// gates [rows, 4H] (pre-activations in, activations out), previousCell, cell and hidden [rows, H].
/// </summary>
internal readonly ref struct LstmUnitGroups(Span<float> gates, ReadOnlySpan<float> previousCell, Span<float> cell, Span<float> hidden, int hiddenSize)
    : IUnitGroupKernel
{
    private readonly Span<float> gates = gates, cell = cell, hidden = hidden;
    private readonly ReadOnlySpan<float> previousCell = previousCell;
    private readonly int hiddenSize = hiddenSize;

    /// <inheritdoc/>
    public void Prefetch(int rowStart, int rows, int unitStart, int units)
    {
        int s = rowStart * hiddenSize + unitStart;
        CachePrefetch.Rows(previousCell, s, hiddenSize, rows, units);
        CachePrefetch.Rows(cell, s, hiddenSize, rows, units);
        CachePrefetch.Rows(hidden, s, hiddenSize, rows, units);
    }

    /// <inheritdoc/>
    public void Apply(int rowStart, int rows, int unitStart, int units) =>
        LstmKernels.ForwardUnits(gates, previousCell, cell, hidden, rowStart, rows, hiddenSize, unitStart, units);
}
