using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A prediction column of one value per step: a variable-length vector as long as the row's scored sequence, each
/// value computed from that step's K predictions (e.g. the most probable tag as a key, or its probability).
/// </summary>
/// <typeparam name="T">The item's raw type: <see cref="float"/>, or <see cref="uint"/> for a key.</typeparam>
internal sealed class StepPredictionColumn<T> : PredictionColumn
{
    private readonly int predictionsPerStep;
    private readonly Func<ReadOnlySpan<float>, T> value;

    /// <summary>A column <paramref name="name"/> of variable-length vectors of <paramref name="itemType"/>.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="itemType">The type of one step's value (a number type, or a key type whose values <paramref name="classNames"/> name).</param>
    /// <param name="predictionsPerStep">The network's predictions per step (K).</param>
    /// <param name="value">A step's value from its K predictions.</param>
    /// <param name="role">The role ML.NET's scorers mark the column with, or null.</param>
    /// <param name="classNames">The key values of a key item, one per key, or null.</param>
    public StepPredictionColumn(
        string name, PrimitiveDataViewType itemType, int predictionsPerStep, Func<ReadOnlySpan<float>, T> value,
        PredictionRole? role = null, IReadOnlyList<string>? classNames = null)
        : base(name, new VectorDataViewType(itemType), role, classNames)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(predictionsPerStep);
        ArgumentNullException.ThrowIfNull(value);
        if (itemType.RawType != typeof(T))
            throw new ArgumentException($"Column '{name}' holds {itemType}, whose values are {itemType.RawType.Name}, not {typeof(T).Name}.", nameof(itemType));
        this.predictionsPerStep = predictionsPerStep;
        this.value = value;
    }

    /// <inheritdoc/>
    public override Delegate CreateGetter(IRowPredictions predictions)
    {
        int k = predictionsPerStep;
        ValueGetter<VBuffer<T>> getter = (ref VBuffer<T> destination) =>
        {
            ReadOnlySpan<float> row = predictions.Current; // [steps, K]
            if (row.Length % k != 0)
                throw new InvalidOperationException($"Column '{Name}' reads {k} predictions per step; the network gave {row.Length} for this row.");
            int steps = row.Length / k;
            var editor = VBufferEditor.Create(ref destination, steps);
            for (int step = 0; step < steps; step++)
                editor.Values[step] = value(row.Slice(step * k, k));
            destination = editor.Commit();
        };
        return getter;
    }
}
