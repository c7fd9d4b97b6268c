using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>The label of regression with one target: a <see cref="float"/> column whose every value is finite.</summary>
internal sealed class SingleLabelColumn : LabelColumn
{
    private SingleLabelColumn(DataViewSchema.Column column, string setName)
        : base(column, setName)
    {
    }

    /// <summary>A float column (see <see cref="RegressionLabel"/>, which finds and checks it).</summary>
    internal static SingleLabelColumn Of(DataViewSchema.Column column, string setName)
    {
        if (column.Type != NumberDataViewType.Single)
            throw new ArgumentException($"Column '{column.Name}' is {column.Type}, not Single.", nameof(column));
        return new SingleLabelColumn(column, setName);
    }

    /// <inheritdoc/>
    public override int OutputSize => 1;

    /// <inheritdoc/>
    public override int TargetCount(int steps) => 1;

    /// <inheritdoc/>
    public override TargetGetter CreateTargetGetter(DataViewRow row)
    {
        ValueGetter<float> getLabel = row.GetGetter<float>(Column);
        float label = 0;
        return (int rowSteps, Span<float> targets) =>
        {
            getLabel(ref label);
            if (float.IsNaN(label))
                throw BadLabel(row.Position, "the label is missing (NaN)", "a finite number");
            if (!float.IsFinite(label))
                throw BadLabel(row.Position, $"the label is {label}", "a finite number");
            targets[0] = label;
        };
    }
}
