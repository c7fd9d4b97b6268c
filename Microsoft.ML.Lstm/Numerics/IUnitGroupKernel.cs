namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A cell's per-step elementwise kernel on a block of hidden units, run by
/// <see cref="GemmDriver{TKernel}.MultiplyByUnitGroups{TCells}"/> as soon as the recurrent product of those units is complete, while
/// their gate values are still in L1 (see <see cref="GemmDriver{TKernel}.MultiplyByUnitGroups{TCells}"/>).
/// </summary>
/// <remarks>
/// Implementations are <c>ref struct</c>s holding the step's spans, so that the driver, generic over them, calls the
/// kernel with no delegate or virtual call. Each must give the same bits on a block of units as the cell's whole-row
/// kernel gives on those units (the unit blocks are whole vectors, so no unit falls to a scalar tail).
/// </remarks>
internal interface IUnitGroupKernel
{
    /// <summary>
    /// Asks for the cache lines <see cref="Apply"/> will read or write besides the gates (cell and hidden states,
    /// another projection) for the same block: called before the block's product, which hides their latency. Those
    /// rows are a few vectors wide and a whole state row apart, a pattern the hardware prefetchers do not follow.
    /// </summary>
    void Prefetch(int rowStart, int rows, int unitStart, int units);

    /// <summary>Runs the cell's step on units [unitStart, unitStart + units) of rows [rowStart, rowStart + rows).</summary>
    void Apply(int rowStart, int rows, int unitStart, int units);
}
