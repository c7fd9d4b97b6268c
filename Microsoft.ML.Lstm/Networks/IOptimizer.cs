using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>Turns gradients into an update of the flat parameter buffer.</summary>
internal interface IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The step size; schedules change it between steps.</summary>
    double LearningRate { get; set; }

    /// <summary>Updates <paramref name="parameters"/> in place from <paramref name="gradients"/>.</summary>
    void Step(Span<T> parameters, ReadOnlySpan<T> gradients);
}
