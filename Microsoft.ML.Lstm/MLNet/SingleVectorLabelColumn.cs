using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The label of regression with several targets: a fixed-size vector of <see cref="float"/>, every value finite;
/// its K values are the network's K outputs.
/// </summary>
internal sealed class SingleVectorLabelColumn : LabelColumn
{
    private SingleVectorLabelColumn(DataViewSchema.Column column, string setName, int size)
        : base(column, setName)
    {
        Size = size;
    }

    /// <summary>A known-size float vector column (see <see cref="RegressionLabel"/>, which finds and checks it).</summary>
    internal static SingleVectorLabelColumn Of(DataViewSchema.Column column, string setName)
    {
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item, IsKnownSize: true, Size: > 0 } vector || item != NumberDataViewType.Single)
            throw new ArgumentException($"Column '{column.Name}' is {column.Type}, not a known-size vector of Single.", nameof(column));
        return new SingleVectorLabelColumn(column, setName, vector.Size);
    }

    /// <summary>Targets per row (K).</summary>
    public int Size { get; }

    /// <inheritdoc/>
    public override int OutputSize => Size;

    /// <inheritdoc/>
    public override int TargetCount(int steps) => Size;

    /// <inheritdoc/>
    public override TargetGetter CreateTargetGetter(DataViewRow row)
    {
        ValueGetter<VBuffer<float>> getLabel = row.GetGetter<VBuffer<float>>(Column);
        VBuffer<float> label = default;
        return (int rowSteps, Span<float> targets) =>
        {
            getLabel(ref label);
            // The column's type fixes the length; a sparse vector's implicit values are zeros.
            label.CopyTo(targets);
            for (int k = 0; k < targets.Length; k++)
            {
                if (float.IsNaN(targets[k]))
                    throw BadLabel(row.Position, $"target {k} of the label is missing (NaN)", "finite numbers");
                if (!float.IsFinite(targets[k]))
                    throw BadLabel(row.Position, $"target {k} of the label is {targets[k]}", "finite numbers");
            }
        };
    }

    /// <inheritdoc/>
    public override void CheckMatches(LabelColumn training)
    {
        int trainingSize = ((SingleVectorLabelColumn)training).Size;
        if (trainingSize != Size)
        {
            throw new ArgumentOutOfRangeException(SetName + "Data",
                $"The {SetName} data's label column '{Column.Name}' holds {Size} targets per row; the training data's holds {trainingSize}.");
        }
    }
}
