using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A prediction column of a fixed-size float vector per row: the row's K predictions, as they are or transformed
/// (e.g. softmax of K logits).
/// </summary>
internal sealed class VectorPredictionColumn : PredictionColumn
{
    private readonly int size;
    private readonly Action<ReadOnlySpan<float>, Span<float>>? transform;

    /// <summary>A column <paramref name="name"/> of <paramref name="size"/> floats.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="size">Values per row: the network's predictions per sequence.</param>
    /// <param name="transform">Writes the column's values (second) from the row's predictions (first); null copies them.</param>
    /// <param name="role">The role ML.NET's scorers mark the column with, or null.</param>
    /// <param name="classNames">The slot names, one per value, or null.</param>
    public VectorPredictionColumn(string name, int size, Action<ReadOnlySpan<float>, Span<float>>? transform = null, PredictionRole? role = null, IReadOnlyList<string>? classNames = null)
        : base(name, new VectorDataViewType(NumberDataViewType.Single, size), role, classNames)
    {
        this.size = size;
        this.transform = transform;
    }

    /// <inheritdoc/>
    public override Delegate CreateGetter(IRowPredictions predictions)
    {
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> destination) =>
        {
            ReadOnlySpan<float> row = predictions.Current;
            if (row.Length != size)
                throw new InvalidOperationException($"Column '{Name}' holds {size} values per row; the network gave {row.Length} for this row.");
            var editor = VBufferEditor.Create(ref destination, size);
            if (transform is null)
                row.CopyTo(editor.Values);
            else
                transform(row, editor.Values);
            destination = editor.Commit();
        };
        return getter;
    }
}
