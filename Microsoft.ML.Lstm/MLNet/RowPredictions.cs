using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>The network's predictions for the row a cursor is on, which every prediction column of the row reads.</summary>
internal interface IRowPredictions
{
    /// <summary>The predictions of the current row (<c>PredictionCount(steps)</c> values); valid until the cursor moves.</summary>
    ReadOnlySpan<float> Current { get; }
}

/// <summary>
/// The network's predictions for the row a cursor is on: the row's sequence read by a <see cref="SequenceRowReader"/>
/// and scored when first asked for, once per row, however many prediction columns read it. The path of
/// <c>PredictionEngine</c>, and of a cursor that cannot score ahead (<see cref="ReadAheadPredictions"/>).
/// </summary>
/// <remarks>
/// <para>A row of n kept steps gets <c>PredictionCount(n)</c> values: K for a pooled head, n·K for a per-step head; a
/// blank row (read when scoring as one unknown step) gets no steps from a per-step head. Scoring reads at most
/// <see cref="MaxScoringSteps"/> steps at once: a pooled head reads a longer row's first <see cref="MaxScoringSteps"/>
/// steps (as <c>MaxSequenceLength</c> would), a per-step head tags it in consecutive pieces of
/// <see cref="MaxScoringSteps"/> steps, each scored as a sequence of its own. The buffer is reused, and dropped at the
/// next short row after a long one.</para>
/// <para>One per cursor, used by one thread at a time. A <c>PredictionEngine</c> shares one row between its calls, and
/// ML.NET documents it as not thread-safe; when two threads use one engine at once, this notices it (the row moved on
/// while it was being scored, or a row scored on one thread is read from another) and throws
/// <see cref="InvalidOperationException"/> rather than hand back another row's scores. The check is two interlocked
/// operations per row. It cannot see a second thread that replaces the engine's input before the first has begun
/// to score it, so it is a safety net, not a license: use one engine per thread.</para>
/// </remarks>
internal sealed class RowPredictions : IRowPredictions
{
    /// <summary>The most steps scored as one sequence.</summary>
    public const int MaxScoringSteps = 10_000;

    private readonly DataViewRow row;
    private readonly SequenceRowReader sequence;
    private readonly SequenceModel model;
    private float[] predictions = [];
    private int count;
    private long scoredPosition = -1;
    private int scoredBy;
    private int users;
    private bool overlapped;

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
    /// <exception cref="InvalidOperationException">
    /// The row holds what a miswired pipeline gives (see <see cref="SequenceRowReader"/>), or two threads use the row at once.
    /// </exception>
    public ReadOnlySpan<float> Current
    {
        get
        {
            int thread = Environment.CurrentManagedThreadId;
            if (Interlocked.Increment(ref users) != 1)
            {
                overlapped = true;
                Interlocked.Decrement(ref users);
                throw UsedFromTwoThreads();
            }
            try
            {
                long position = row.Position;
                if (scoredPosition != position)
                {
                    overlapped = false;
                    ScoreCurrentRow();
                    scoredPosition = position;
                    scoredBy = thread;
                }
                else if (scoredBy != thread)
                {
                    overlapped = true;
                }
                if (overlapped || row.Position != position)
                {
                    scoredPosition = -1;
                    throw UsedFromTwoThreads();
                }
                return predictions.AsSpan(0, count);
            }
            finally
            {
                Interlocked.Decrement(ref users);
            }
        }
    }

    private void ScoreCurrentRow()
    {
        sequence.Read();
        count = Score(sequence, model, ref predictions);
    }

    /// <summary>
    /// Scores the row <paramref name="sequence"/> has read, one sequence at a time (a per-step head's long row in pieces of
    /// <see cref="MaxScoringSteps"/>), into <paramref name="predictions"/>, grown as needed; returns the count written.
    /// </summary>
    public static int Score(SequenceRowReader sequence, SequenceModel model, ref float[] predictions)
    {
        int steps = sequence.Steps;
        if (model.PredictsPerStep)
        {
            if (sequence.RowSteps == 0)
                return 0; // A blank row has no steps to tag.
            int count = model.PredictionCount(steps);
            Span<float> all = Workspace.EnsureBounded(ref predictions, count, model.PredictionCount(SequencePredictor.RetainedSteps));
            int perStep = count / steps;
            for (int start = 0; start < steps; start += MaxScoringSteps)
            {
                int piece = Math.Min(MaxScoringSteps, steps - start);
                sequence.Predict(model, start, piece, all.Slice(start * perStep, piece * perStep));
            }
            return count;
        }
        int pooled = model.PredictionCount(steps);
        sequence.Predict(model, 0, Math.Min(steps, MaxScoringSteps), Workspace.EnsureBounded(ref predictions, pooled, pooled));
        return pooled;
    }

    private static InvalidOperationException UsedFromTwoThreads() => new(
        "One row of Microsoft.ML.Lstm predictions was used from two threads at once (a PredictionEngine shared between threads?): " +
        "the scores could belong to another thread's input. PredictionEngine is not thread-safe; create one per thread, or use a pool.");
}
