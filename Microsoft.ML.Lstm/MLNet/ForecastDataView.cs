using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The data a <see cref="LstmForecastingTransformer"/> returns: the input's columns and the forecast columns, computed
/// as one cursor reads the input in order, keeping each series' last window (a <see cref="SeriesHistory"/>) as it goes.
/// Cannot be shuffled, and gives one cursor for a cursor set: each row's output depends on the rows before it.
/// </summary>
internal sealed partial class ForecastDataView : IDataView
{
    private readonly IDataView source;
    private readonly ForecastColumns columns;
    private readonly LstmForecastingTransformer transformer;

    public ForecastDataView(IDataView source, ForecastColumns columns, LstmForecastingTransformer transformer)
    {
        this.source = source;
        this.columns = columns;
        this.transformer = transformer;
        Schema = OutputSchema(source.Schema, transformer.Settings);
    }

    /// <summary>The input's columns, then the forecast, lower and upper columns (vectors of H floats), those named.</summary>
    public static DataViewSchema OutputSchema(DataViewSchema input, ForecastSettings settings)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        var type = new VectorDataViewType(NumberDataViewType.Single, settings.Horizon);
        foreach (string name in OutputNames(settings))
            builder.AddColumn(name, type);
        return builder.ToSchema();
    }

    /// <summary>The output columns' names: the forecast, then the bounds that were named.</summary>
    public static string[] OutputNames(ForecastSettings settings) =>
        [settings.OutputColumnName, .. new[] { settings.LowerBoundColumnName, settings.UpperBoundColumnName }.OfType<string>()];

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int inputCount = source.Schema.Count;
        var needed = columnsNeeded.ToList();
        bool forecasts = needed.Any(c => c.Index >= inputCount);
        var sourceColumns = needed.Where(c => c.Index < inputCount).Select(c => source.Schema[c.Index]).ToList();
        if (forecasts)
            sourceColumns.AddRange(columns.All);
        DataViewRowCursor input = source.GetRowCursor(sourceColumns.DistinctBy(c => c.Index));
        DataViewRowCursor? ahead = forecasts && transformer.Settings.FutureCovariates ? source.GetRowCursor(columns.All) : null;
        return new Cursor(this, input, ahead, forecasts, needed.Select(c => c.Index).ToHashSet());
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ForecastDataView parent;
        private readonly DataViewRowCursor input;
        private readonly bool forecasts;
        private readonly HashSet<int> active;
        private readonly ForecastColumns.RowReader? reader;
        private readonly Dictionary<string, SeriesHistory> histories = new(StringComparer.Ordinal);
        private readonly WindowForecaster? forecaster;
        private readonly float[] covariates;
        private readonly float[][] outputs; // forecast, lower, upper [H] each
        private readonly LookAhead? ahead;
        private readonly float[] future;    // [H, C] the covariates of this row's next H rows, with future covariates

        public Cursor(ForecastDataView parent, DataViewRowCursor input, DataViewRowCursor? aheadCursor, bool forecasts, HashSet<int> active)
        {
            this.parent = parent;
            this.input = input;
            this.forecasts = forecasts;
            this.active = active;
            ForecastSettings settings = parent.transformer.Settings;
            covariates = new float[settings.CovariateCount];
            outputs = [new float[settings.Horizon], new float[settings.Horizon], new float[settings.Horizon]];
            future = new float[settings.Horizon * settings.FutureCovariateCount];
            if (aheadCursor is not null)
                ahead = new LookAhead(aheadCursor, parent.columns, settings.Horizon);
            if (forecasts)
            {
                reader = parent.columns.CreateReader(input);
                forecaster = parent.transformer.NewForecaster();
            }
        }

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override DataViewSchema Schema => parent.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool MoveNext()
        {
            if (!input.MoveNext())
                return false;
            if (forecasts)
                Advance();
            return true;
        }

        /// <summary>Adds this row's observation to its series' history and forecasts from it.</summary>
        private void Advance()
        {
            float value = reader!.Value();
            if (float.IsInfinity(value))
                throw new InvalidOperationException($"The value column '{parent.columns.Value.Name}' holds {value} at row {input.Position}; expected a finite number, or NaN for a missing value.");
            reader.Covariates(covariates);
            for (int j = 0; j < covariates.Length; j++)
            {
                if (!float.IsFinite(covariates[j]))
                    throw new InvalidOperationException($"The covariate column '{parent.columns.Covariates[j].Name}' holds {covariates[j]} at row {input.Position}; covariates must be finite.");
            }
            string series = reader.Series();
            if (!histories.TryGetValue(series, out SeriesHistory? history))
            {
                history = parent.transformer.NewHistory();
                histories.Add(series, history);
            }
            history.Append(value, covariates);
            bool known = ahead is null || ahead.Next(series, future);
            forecaster!.Forecast(history, series, known ? future : ReadOnlySpan<float>.Empty, outputs[0], outputs[1], outputs[2]);
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = parent.source.Schema.Count;
            if (column.Index < inputCount)
                return input.GetGetter<TValue>(input.Schema[column.Index]);
            if (!active.Contains(column.Index))
                throw new InvalidOperationException($"The column '{column.Name}' was not requested from this cursor.");
            if (typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"The column '{column.Name}' holds vectors of Single; asked for {typeof(TValue)}.");
            ForecastSettings settings = parent.transformer.Settings;
            string name = Schema[column.Index].Name;
            float[] source = name == settings.OutputColumnName ? outputs[0] : name == settings.LowerBoundColumnName ? outputs[1] : outputs[2];
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> destination) =>
            {
                var editor = VBufferEditor.Create(ref destination, source.Length);
                source.CopyTo(editor.Values);
                destination = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
                ahead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// A second cursor over the same rows that runs ahead of the first, keeping per series the covariates of the rows
    /// it has read and the first has not: what a row's forecast needs from the next H rows of its series.
    /// </summary>
    private sealed class LookAhead : IDisposable
    {
        private readonly DataViewRowCursor cursor;
        private readonly ForecastColumns columns;
        private readonly ForecastColumns.RowReader reader;
        private readonly int horizon;
        private readonly Dictionary<string, Queue<float[]>> pending = new(StringComparer.Ordinal);
        private bool ended;

        public LookAhead(DataViewRowCursor cursor, ForecastColumns columns, int horizon)
        {
            this.cursor = cursor;
            this.columns = columns;
            this.horizon = horizon;
            reader = columns.CreateReader(cursor);
        }

        /// <summary>
        /// Moves past the first cursor's current row (of <paramref name="series"/>) and writes the covariates of the next
        /// H rows of that series [H, C]; false when the data ends before H more rows of it.
        /// </summary>
        public bool Next(string series, Span<float> future)
        {
            Queue<float[]> queue = Pending(series);
            // The first cursor's row: the look-ahead has read it unless it is at it now.
            while (queue.Count == 0 && Read())
            {
            }
            if (queue.Count == 0)
                throw new InvalidOperationException("The data gave different rows to two cursors; a forecaster with covariates reads it twice and needs the same rows each time.");
            queue.Dequeue();
            while (queue.Count < horizon && Read())
            {
            }
            if (queue.Count < horizon)
                return false;
            int c = columns.Covariates.Length, step = 0;
            foreach (float[] row in queue)
            {
                if (step == horizon)
                    break;
                row.CopyTo(future.Slice(step++ * c, c));
            }
            return true;
        }

        private Queue<float[]> Pending(string series)
        {
            if (!pending.TryGetValue(series, out Queue<float[]>? queue))
            {
                queue = new Queue<float[]>();
                pending.Add(series, queue);
            }
            return queue;
        }

        /// <summary>Reads one more row into its series' queue; false at the end of the data.</summary>
        private bool Read()
        {
            if (ended || !cursor.MoveNext())
            {
                ended = true;
                return false;
            }
            var covariates = new float[columns.Covariates.Length];
            reader.Covariates(covariates);
            for (int j = 0; j < covariates.Length; j++)
            {
                if (!float.IsFinite(covariates[j]))
                    throw new InvalidOperationException($"The covariate column '{columns.Covariates[j].Name}' holds {covariates[j]} at row {cursor.Position}; covariates must be finite.");
            }
            Pending(reader.Series()).Enqueue(covariates);
            return true;
        }

        public void Dispose() => cursor.Dispose();
    }
}
