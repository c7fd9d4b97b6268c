using System.Runtime.ExceptionServices;
using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The network's predictions for the row a <c>Transform</c> cursor is on, scored ahead of it in batches: a second cursor
/// over the same data reads the next rows' sequences, which are scored as batches on every core while the cursor's rows
/// read the predictions of the rows before them.
/// </summary>
/// <remarks>
/// <para>A batch gives each sequence the same bits as scoring it alone (its steps meet no other sequence's), so this
/// changes how fast a row is scored, never what it gets: the same values as <see cref="RowPredictions"/> and
/// <c>PredictionEngine</c>. One row scored alone costs a matrix-vector product per step for each weight matrix; a batch
/// of sequences makes them matrix products, which run nearer the processor's peak (<c>benchmarks/RESULTS.md</c>,
/// "Transform scores rows in batches").</para>
/// <para>The rows are read in runs (<see cref="Run"/>): while one run is scored, on a background thread per core but
/// one (<see cref="ScoringWorkers"/>) and then on the cursor's thread too, the cursor's thread reads the next run and
/// hands it to the background threads before it helps finish the first, so the cores are kept busy and none waits long
/// for another.
/// The first run is a batch per core, each next one twice as many, up to <see cref="MaxBatchesPerCore"/> per core: a
/// cursor that reads a few rows scores few more.</para>
/// <para>A batch holds at most <see cref="MaxBatchRows"/> rows and <see cref="SequencePredictor.RetainedSteps"/> steps,
/// the most a predictor keeps workspaces for; a longer row is scored alone, as <see cref="RowPredictions"/> scores it,
/// and ends its run. A row that cannot be read (what a miswired pipeline gives, <see cref="SequenceRowReader"/>) fails
/// when its own predictions are read, as it would row by row, and the rows around it score.</para>
/// <para>The two cursors must see the same rows in the same order, as ML.NET's data views give them; each row's id is
/// checked, and a data view that gives two cursors different rows fails with a message that says so. One per cursor,
/// used by the thread that moves it.</para>
/// </remarks>
internal sealed class ReadAheadPredictions : IRowPredictions, IDisposable
{
    /// <summary>The most rows scored as one batch.</summary>
    public const int MaxBatchRows = 64;

    /// <summary>The most batches a run holds for each core.</summary>
    public const int MaxBatchesPerCore = 8;

    private readonly DataViewRow row;
    private readonly ValueGetter<DataViewRowId> rowId;
    private readonly DataViewRowCursor ahead;
    private readonly ValueGetter<DataViewRowId> aheadId;
    private readonly SequenceRowReader sequence;
    private readonly SequenceModel model;
    private readonly int cores;
    private int batchesPerRun;
    private bool aheadEnded;
    private Run current = new();  // the run the cursor's row is in, scored
    private Run next = new();     // the rows after it, read and being scored
    private long checkedPosition = -1;

    /// <summary>
    /// Predictions for the rows of <paramref name="row"/> (a cursor), read ahead on <paramref name="ahead"/> (a cursor
    /// over the same data, not yet moved) by <paramref name="sequence"/>, a reader of it.
    /// </summary>
    public ReadAheadPredictions(DataViewRowCursor row, DataViewRowCursor ahead, SequenceRowReader sequence, SequenceModel model)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(ahead);
        ArgumentNullException.ThrowIfNull(sequence);
        ArgumentNullException.ThrowIfNull(model);
        this.row = row;
        this.ahead = ahead;
        this.sequence = sequence;
        this.model = model;
        rowId = row.GetIdGetter();
        aheadId = ahead.GetIdGetter();
        // As many batches at once as the cores can score, each on its predictor's threads.
        cores = Math.Max(1, Environment.ProcessorCount / model.ScoringThreads);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">
    /// The row holds what a miswired pipeline gives (see <see cref="SequenceRowReader"/>), or the data gave the two cursors different rows.
    /// </exception>
    public ReadOnlySpan<float> Current
    {
        get
        {
            long position = row.Position;
            if (!current.Holds(position))
                MoveTo(position);
            if (checkedPosition != position)
            {
                DataViewRowId id = default;
                rowId(ref id);
                if (!id.Equals(current.Id(position)))
                    throw DifferentRows(position);
                checkedPosition = position;
            }
            return current.Predictions(position);
        }
    }

    /// <summary>Makes the run that holds <paramref name="position"/> current, scored, and starts scoring the rows after it.</summary>
    private void MoveTo(long position)
    {
        if (position < current.End)
            throw new InvalidOperationException($"The cursor went back to row {position}; a cursor only moves forward.");
        (current, next) = (next, current);
        if (!current.Holds(position))
        {
            // Nothing read yet, or the cursor passed every row read without reading a prediction: those are dropped.
            current.Abandon();
            while (!aheadEnded && ahead.Position < position - 1)
                aheadEnded = !ahead.MoveNext();
            Read(current, position);
            if (!current.Holds(position))
                throw DifferentRows(position);
            current.Start(model, cores);
        }
        // The next rows are read while the current run scores, and handed to the background threads before this thread
        // helps finish the current run: a background thread goes on to them without sleeping in between, and scores
        // them while the cursor reads this run.
        Read(next, current.End);
        next.Start(model, cores);
        current.Finish();
    }

    /// <summary>Reads the rows from <paramref name="position"/> on (the next of <see cref="ahead"/>) into <paramref name="run"/>, which none is scoring.</summary>
    private void Read(Run run, long position)
    {
        batchesPerRun = Math.Min(Math.Max(cores, 2 * batchesPerRun), cores * MaxBatchesPerCore);
        run.Clear(position);
        // Until the run's batches are full (a row that fits none of them opens one more, the last), or a long row scored
        // alone ends it, so that the values held stay within one long row and the batches.
        while (!run.EndsBefore(batchesPerRun) && !aheadEnded)
        {
            if (!ahead.MoveNext())
            {
                aheadEnded = true;
                break;
            }
            DataViewRowId id = default;
            aheadId(ref id);
            run.AddRow(id);
            try
            {
                sequence.Read();
            }
            catch (InvalidOperationException error)
            {
                // The row's own failure, raised when its predictions are read.
                run.Fail(ExceptionDispatchInfo.Capture(error));
                continue;
            }
            if (model.PredictsPerStep && sequence.RowSteps == 0)
                continue; // A blank row has no steps to tag.
            if (sequence.Steps > SequencePredictor.RetainedSteps)
            {
                run.ScoreAlone(sequence, model);
                break;
            }
            run.Add(sequence.ToExample([]), sequence.Steps, model.PredictionCount(sequence.Steps));
        }
    }

    private static InvalidOperationException DifferentRows(long position) => new(
        $"The data gave different rows to two cursors over it (at row {position}): Transform reads its input twice, once ahead of the " +
        "cursor to score rows in batches, and needs the same rows in the same order each time, as ML.NET's data views give them.");

    /// <summary>Lets the scoring under way end (its predictions are no longer wanted), then closes the cursor that reads ahead.</summary>
    public void Dispose()
    {
        next.Abandon();
        current.Abandon();
        ahead.Dispose();
    }

    /// <summary>
    /// Consecutive rows read ahead and their predictions: row i (from <see cref="First"/>) has values[offsets[i] ..
    /// offsets[i + 1]), or the values scored alone, or the failure its reading raised. Its batches are claimed one at a
    /// time by the threads that score them.
    /// </summary>
    private sealed class Run
    {
        private readonly List<Batch> batches = [];
        private DataViewRowId[] ids = [];
        private int[] offsets = [0];
        private ExceptionDispatchInfo?[] errors = [];
        private float[] values = [];
        private float[] alone = [];
        private int aloneRow = -1, aloneCount;
        private int rows;
        private Scoring? scoring;   // the scoring of the batches, from Start to Finish or Abandon

        /// <summary>The position of the first row.</summary>
        public long First { get; private set; }

        /// <summary>The position after the last row.</summary>
        public long End => First + rows;

        public bool Holds(long position) => position >= First && position < End;

        public DataViewRowId Id(long position) => ids[position - First];

        /// <summary>The predictions of the row at <paramref name="position"/>; throws what reading it raised.</summary>
        public ReadOnlySpan<float> Predictions(long position)
        {
            int i = (int)(position - First);
            errors[i]?.Throw();
            return i == aloneRow ? alone.AsSpan(0, aloneCount) : values.AsSpan(offsets[i], offsets[i + 1] - offsets[i]);
        }

        /// <summary>Empties the run, to hold rows from <paramref name="position"/> on.</summary>
        public void Clear(long position)
        {
            First = position;
            rows = 0;
            aloneRow = -1;
            batches.Clear();
        }

        /// <summary>Whether the run takes no more rows: <paramref name="batchCount"/> batches are full, or a row was scored alone.</summary>
        public bool EndsBefore(int batchCount) =>
            aloneRow >= 0 || rows >= (batchCount + 1) * MaxBatchRows || batches.Count > batchCount || (batches.Count == batchCount && batches[^1].IsFull);

        /// <summary>Takes the next row, with id <paramref name="id"/>, with no predictions yet.</summary>
        public void AddRow(DataViewRowId id)
        {
            int i = rows++;
            if (ids.Length < rows)
            {
                int size = Math.Max(rows, 2 * ids.Length);
                Array.Resize(ref ids, size);
                Array.Resize(ref errors, size);
                Array.Resize(ref offsets, size + 1);
            }
            ids[i] = id;
            errors[i] = null;
            offsets[i + 1] = offsets[i];
        }

        /// <summary>Records what reading the last row raised.</summary>
        public void Fail(ExceptionDispatchInfo error) => errors[rows - 1] = error;

        /// <summary>Scores the last row alone, now (it is too long for a batch).</summary>
        public void ScoreAlone(SequenceRowReader sequence, SequenceModel model)
        {
            aloneCount = RowPredictions.Score(sequence, model, ref alone);
            aloneRow = rows - 1;
        }

        /// <summary>Puts the last row's sequence of <paramref name="steps"/> steps in a batch, to get <paramref name="count"/> values.</summary>
        public void Add(SequenceExample example, int steps, int count)
        {
            int i = rows - 1;
            offsets[i + 1] = offsets[i] + count;
            if (values.Length < offsets[i + 1])
                Array.Resize(ref values, Math.Max(offsets[i + 1], 2 * values.Length));
            if (batches.Count == 0 || !batches[^1].Fits(steps))
                batches.Add(new Batch(i));
            batches[^1].Add(example, steps, i);
        }

        /// <summary>
        /// Starts scoring the batches: on a background thread per core but one (<see cref="ScoringWorkers"/>), when there
        /// is more than one batch, and on the caller's thread when it calls <see cref="Finish"/>.
        /// </summary>
        public void Start(SequenceModel model, int cores)
        {
            scoring = new Scoring(this, [.. batches], model);
            int threads = Math.Min(cores, batches.Count) - 1;
            for (int t = 0; t < threads; t++)
                ScoringWorkers.Post(scoring.Work, threads);
        }

        /// <summary>Scores the batches no thread has taken, then waits for those other threads took; throws what scoring raised.</summary>
        public void Finish()
        {
            Scoring? started = scoring;
            scoring = null;
            started?.Finish();
        }

        /// <summary>Stops handing out batches and waits for those being scored, whatever they raise: nobody reads these predictions any more.</summary>
        public void Abandon()
        {
            Scoring? started = scoring;
            scoring = null;
            started?.Abandon();
        }

        private void Score(Batch batch, SequenceModel model)
        {
            int start = offsets[batch.FirstRow], end = offsets[batch.LastRow + 1];
            model.Predict(SequenceBatch<float>.FromExamples(batch.Examples, model.Spec.Encoder), values.AsSpan(start, end - start));
        }

        /// <summary>
        /// One scoring of a run's batches, each claimed by one thread. A background thread that starts after the scoring
        /// is over (the caller's thread took every batch) finds nothing left to claim here, whatever the run holds by then.
        /// </summary>
        private sealed class Scoring(Run run, Batch[] batches, SequenceModel model)
        {
            private readonly ManualResetEventSlim done = new(batches.Length == 0);
            private int claimed;
            private int completed;
            private ExceptionDispatchInfo? error;

            /// <summary>Scores batches until none is left unclaimed; never throws (the first failure is kept).</summary>
            public void Work()
            {
                for (int b = Interlocked.Increment(ref claimed) - 1; b < batches.Length; b = Interlocked.Increment(ref claimed) - 1)
                {
                    try
                    {
                        run.Score(batches[b], model);
                    }
                    catch (Exception failure)
                    {
                        Interlocked.CompareExchange(ref error, ExceptionDispatchInfo.Capture(failure), null);
                    }
                    finally
                    {
                        if (Interlocked.Increment(ref completed) == batches.Length)
                            done.Set();
                    }
                }
            }

            public void Finish()
            {
                Work();
                done.Wait();
                error?.Throw();
            }

            public void Abandon()
            {
                int taken = Math.Min(Interlocked.Exchange(ref claimed, int.MaxValue / 2), batches.Length);
                SpinWait.SpinUntil(() => Volatile.Read(ref completed) >= taken);
            }
        }
    }

    /// <summary>The sequences of consecutive rows, scored as one batch (rows between them that are not scored have no values).</summary>
    private sealed class Batch(int firstRow)
    {
        private int steps;

        public int FirstRow { get; } = firstRow;

        public int LastRow { get; private set; } = firstRow;

        public List<SequenceExample> Examples { get; } = [];

        public bool IsFull => Examples.Count == MaxBatchRows;

        public bool Fits(int rowSteps) => Examples.Count < MaxBatchRows && steps + rowSteps <= SequencePredictor.RetainedSteps;

        public void Add(SequenceExample example, int rowSteps, int row)
        {
            Examples.Add(example);
            steps += rowSteps;
            LastRow = row;
        }
    }
}
