namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The GRU cell's step (<see cref="GruKernels.ForwardUnits(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, int, int)"/>)
/// on each block of units whose recurrent product h_{t−1}·W_hhᵀ + b_hh <see cref="GemmDriver{TKernel}.MultiplyByUnitGroups{TCells}"/> has
/// just finished. inputProjection and gates [rows, 3H] (may be the same buffer: each unit is read before it is written),
/// hiddenProjection [rows, 3H], previousHidden and hidden [rows, H].
/// </summary>
internal readonly ref struct GruUnitGroups(
    ReadOnlySpan<float> inputProjection, ReadOnlySpan<float> hiddenProjection, ReadOnlySpan<float> previousHidden,
    Span<float> gates, Span<float> hidden, int hiddenSize) : IUnitGroupKernel
{
    private readonly ReadOnlySpan<float> inputProjection = inputProjection, hiddenProjection = hiddenProjection, previousHidden = previousHidden;
    private readonly Span<float> gates = gates, hidden = hidden;
    private readonly int hiddenSize = hiddenSize;

    /// <inheritdoc/>
    public void Prefetch(int rowStart, int rows, int unitStart, int units)
    {
        int g = rowStart * 3 * hiddenSize + unitStart, s = rowStart * hiddenSize + unitStart;
        for (int gate = 0; gate < 3; gate++)
            CachePrefetch.Rows(inputProjection, g + gate * hiddenSize, 3 * hiddenSize, rows, units);
        CachePrefetch.Rows(previousHidden, s, hiddenSize, rows, units);
        CachePrefetch.Rows(hidden, s, hiddenSize, rows, units);
    }

    /// <inheritdoc/>
    public void Apply(int rowStart, int rows, int unitStart, int units) =>
        GruKernels.ForwardUnits(inputProjection, hiddenProjection, previousHidden, gates, hidden, rowStart, rows, hiddenSize, unitStart, units);
}
