using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The data a sequence transformer's <c>Transform</c> returns: the input's columns and the prediction columns, whose rows
/// a cursor scores ahead of itself in batches (<see cref="ReadAheadPredictions"/>) rather than one at a time.
/// </summary>
/// <remarks>
/// <para>A cursor that reads a prediction column moves over the input with a second cursor running ahead of it for the
/// sequences; one that reads none is the input's own. Each row gets the same bits as row by row.</para>
/// <para>ML.NET's row-by-row transform over the same mapper (<c>rowByRow</c>) stays behind it: a shuffled cursor is its
/// (two cursors cannot be shuffled alike), and saving and ONNX export are its. A cursor set is one cursor: a batch
/// already scores on every core, where ML.NET's parallel cursors would each score one row at a time.</para>
/// </remarks>
internal sealed class ScoredDataView : IDataTransform, ITransformCanSaveOnnx
{
    private readonly IDataView source;
    private readonly IDataTransform rowByRow;
    private readonly IReadOnlyList<PredictionColumn> columns;
    private readonly SequenceModel model;
    private readonly DataViewSchema.Column[] sequenceColumns;
    private readonly Func<DataViewRow, SequenceRowReader> createReader;

    /// <summary>
    /// The scored view of <paramref name="source"/>, with the schema of <paramref name="rowByRow"/> (ML.NET's transform of
    /// the same mapper): <paramref name="columns"/> written from <paramref name="model"/>'s predictions for the sequences
    /// <paramref name="createReader"/> reads from <paramref name="sequenceColumns"/> of a row.
    /// </summary>
    public ScoredDataView(
        IDataView source, IDataTransform rowByRow, IReadOnlyList<PredictionColumn> columns, SequenceModel model,
        DataViewSchema.Column[] sequenceColumns, Func<DataViewRow, SequenceRowReader> createReader)
    {
        this.source = source;
        this.rowByRow = rowByRow;
        this.columns = columns;
        this.model = model;
        this.sequenceColumns = sequenceColumns;
        this.createReader = createReader;
    }

    public IDataView Source => source;

    public DataViewSchema Schema => rowByRow.Schema;

    public bool CanShuffle => rowByRow.CanShuffle;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        int inputCount = source.Schema.Count;
        if (rand is not null || needed.All(column => column.Index < inputCount))
            return rowByRow.GetRowCursor(needed, rand);
        DataViewRowCursor input = source.GetRowCursor(needed.Where(column => column.Index < inputCount).Select(column => source.Schema[column.Index]));
        DataViewRowCursor ahead = source.GetRowCursor(sequenceColumns);
        return new Cursor(this, input, new ReadAheadPredictions(input, ahead, createReader(ahead), model), needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        rand is null ? [GetRowCursor(columnsNeeded)] : rowByRow.GetRowCursorSet(columnsNeeded, n, rand);

    public bool CanSaveOnnx(OnnxContext ctx) => ((ITransformCanSaveOnnx)rowByRow).CanSaveOnnx(ctx);

    public void SaveAsOnnx(OnnxContext ctx) => ((ITransformCanSaveOnnx)rowByRow).SaveAsOnnx(ctx);

    void ICanSaveModel.Save(ModelSaveContext ctx) => rowByRow.Save(ctx);

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ScoredDataView parent;
        private readonly DataViewRowCursor input;
        private readonly ReadAheadPredictions predictions;
        private readonly HashSet<int> active;
        private readonly Delegate?[] getters;

        public Cursor(ScoredDataView parent, DataViewRowCursor input, ReadAheadPredictions predictions, List<DataViewSchema.Column> needed)
        {
            this.parent = parent;
            this.input = input;
            this.predictions = predictions;
            active = [.. needed.Select(column => column.Index)];
            int inputCount = parent.source.Schema.Count;
            getters = new Delegate?[parent.columns.Count];
            for (int i = 0; i < getters.Length; i++)
            {
                if (active.Contains(inputCount + i))
                    getters[i] = parent.columns[i].CreateGetter(predictions);
            }
        }

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override DataViewSchema Schema => parent.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool MoveNext() => input.MoveNext();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = parent.source.Schema.Count;
            if (column.Index < inputCount)
                return input.GetGetter<TValue>(input.Schema[column.Index]);
            if (!active.Contains(column.Index))
                throw new InvalidOperationException($"The column '{column.Name}' was not requested from this cursor.");
            return getters[column.Index - inputCount] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"The column '{column.Name}' holds {column.Type}; asked for {typeof(TValue)}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
                predictions.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
