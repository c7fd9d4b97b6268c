using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The network's predictions for the row a cursor is on: the row's sequence read by a <see cref="SequenceRowReader"/>
/// and scored once per row, however many prediction columns read it.
/// </summary>
/// <remarks>
/// A row of n kept steps gets <c>PredictionCount(n)</c> values: K for a pooled head, n·K for a per-step head. The
/// buffer grows to the largest row and is reused, so a warm row allocates nothing here. One per cursor; not
/// thread-safe (the model itself is: each cursor rents its own predictor).
/// </remarks>
internal sealed class RowPredictions
{
    private readonly DataViewRow row;
    private readonly SequenceRowReader sequence;
    private readonly SequenceModel model;
    private float[] predictions = [];
    private int count;
    private long scoredPosition = -1;

    /// <summary>Predictions of <paramref name="model"/> for the sequences <paramref name="sequence"/> reads from <paramref name="row"/>.</summary>
    public RowPredictions(DataViewRow row, SequenceRowReader sequence, SequenceModel model)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(sequence);
        ArgumentNullException.ThrowIfNull(model);
        this.row = row;
        this.sequence = sequence;
        this.model = model;
    }

    /// <summary>The predictions of the current row; valid until the cursor moves.</summary>
    /// <exception cref="InvalidOperationException">The row's sequence is empty or holds a value the network cannot read.</exception>
    public ReadOnlySpan<float> Current
    {
        get
        {
            if (scoredPosition != row.Position)
                ScoreCurrentRow();
            return predictions.AsSpan(0, count);
        }
    }

    private void ScoreCurrentRow()
    {
        sequence.Read();
        count = model.PredictionCount(sequence.Steps);
        if (predictions.Length < count)
            predictions = new float[count];
        sequence.Predict(model, predictions.AsSpan(0, count));
        scoredPosition = row.Position;
    }
}
