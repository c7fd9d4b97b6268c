using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>Turns gradients into an update of the flat parameter buffer.</summary>
internal interface IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The step size; schedules change it between steps.</summary>
    double LearningRate { get; set; }

    /// <summary>Updates <paramref name="parameters"/> in place from <paramref name="gradients"/>.</summary>
    void Step(Span<T> parameters, ReadOnlySpan<T> gradients);

    /// <summary>Steps taken; a checkpoint saves it and sets it back.</summary>
    int StepCount { get; set; }

    /// <summary>The optimizer's buffers, one value per parameter each (Adam's moments, SGD's momentum), which a checkpoint saves and fills back.</summary>
    IReadOnlyList<T[]> State { get; }
}
