using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Tests.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// <c>Transform</c>'s cursor scores rows ahead of itself in batches (<see cref="ReadAheadPredictions"/>): every row
/// gets the bits the row-by-row path (a <c>PredictionEngine</c>'s) gives it, over many runs of batches, blank rows,
/// rows too long for a batch, skipped rows, a row that cannot be read, and data that gives two cursors different rows.
/// </summary>
public class ReadAheadScoringTests
{
    private readonly MLContext mlContext = new(seed: 1);

    [Theory]
    [InlineData(nameof(CellType.Lstm), false, nameof(PoolingMode.Mean))]
    [InlineData(nameof(CellType.Gru), true, nameof(PoolingMode.Max))]
    [InlineData(nameof(CellType.PeepholeLstm), false, nameof(PoolingMode.Attention))]
    [InlineData(nameof(CellType.Lstm), true, nameof(PoolingMode.LastState))]
    public void EveryRowGetsTheBitsOfTheRowByRowPath(string cellName, bool bidirectional, string poolingName)
    {
        var cell = Enum.Parse<CellType>(cellName);
        var pooling = Enum.Parse<PoolingMode>(poolingName);
        var network = new SequenceNetwork<float>(
            NetworkSpecs.Pooled(NetworkSpecs.Features(FeaturesPerStep, hidden: 5, cell, bidirectional: bidirectional), pooling, 2, LossKind.MeanSquaredError), seed: 3, threads: 1);
        var transformer = new SequenceRegressionTransformer(mlContext, SequenceModel.FromNetwork(network), FloatFeatures(), vectorScore: true);
        // Many runs of batches, blank rows (one step of means), and two rows longer than a batch holds (scored alone).
        IDataView data = mlContext.Data.LoadFromEnumerable(Rows(900, seed: 5, blankEvery: 97, longAt: [300, 301, 777]));

        List<int> batched = FloatBits(transformer.Transform(data), "Score");

        Assert.Equal(RowByRowBits(transformer, data, "Score"), batched);
        Assert.Equal(900 * 2, batched.Count);
    }

    [Fact]
    public void ATaggerGetsTheBitsOfTheRowByRowPathAndBlankRowsNoTags()
    {
        var training = TaggingTestData.Sentences(40, seed: 1, testNames: false);
        var keys = TaggingTestData.MapKeys(mlContext, mlContext.Data.LoadFromEnumerable(training));
        var tagger = mlContext.MulticlassClassification.Trainers.LstmTagger(TaggingTestData.Tiny(epochs: 1))
            .Fit(keys.Transform(mlContext.Data.LoadFromEnumerable(training)));
        TaggedSentence[] sentences = [.. TaggingTestData.Sentences(400, seed: 2, testNames: true)];
        for (int i = 0; i < sentences.Length; i += 53)
            sentences[i] = new TaggedSentence { Tokens = [], Tags = [] };
        IDataView data = keys.Transform(mlContext.Data.LoadFromEnumerable(sentences));

        List<float[]> batched = tagger.Transform(data).GetColumn<float[]>("Score").ToList();

        Assert.Equal(RowByRowBits(tagger, data, "Score"), Bits(batched.SelectMany(row => row)));
        Assert.All(Enumerable.Range(0, sentences.Length), i => Assert.Equal(sentences[i].Tokens.Length == 0, batched[i].Length == 0));
    }

    [Fact]
    public void ACursorThatReadsSomeRowsGetsTheirOwnPredictions()
    {
        var transformer = RegressionTransformer(mlContext);
        IDataView data = mlContext.Data.LoadFromEnumerable(Rows(1000, seed: 7, blankEvery: 0, longAt: []));
        List<int> all = FloatBits(transformer.Transform(data), "Score");
        IDataView scored = transformer.Transform(data);

        var read = new List<(long Row, int Bits)>();
        using (var cursor = scored.GetRowCursor([scored.Schema["Score"]]))
        {
            var getScore = cursor.GetGetter<float>(scored.Schema["Score"]);
            float score = 0;
            while (cursor.MoveNext())
            {
                if (cursor.Position % 37 == 5 || cursor.Position is 600 or 601)
                {
                    getScore(ref score);
                    read.Add((cursor.Position, BitConverter.SingleToInt32Bits(score)));
                }
            }
        }

        Assert.Equal(29, read.Count);
        Assert.All(read, pair => Assert.Equal(all[(int)pair.Row], pair.Bits));
    }

    [Fact]
    public void ARowThatCannotBeReadFailsAtItsOwnRowWhileTheOthersScore()
    {
        var transformer = RegressionTransformer(mlContext);
        RegressionSequenceRow[] rows = Rows(300, seed: 9, blankEvery: 0, longAt: []);
        List<int> expected = FloatBits(transformer.Transform(mlContext.Data.LoadFromEnumerable(rows)), "Score");
        rows[150] = new RegressionSequenceRow { Features = [0.5f, 0.25f, 0.125f] }; // not a whole number of steps of 2
        IDataView scored = transformer.Transform(mlContext.Data.LoadFromEnumerable(rows));

        var scores = new List<int>();
        InvalidOperationException? failure = null;
        using (var cursor = scored.GetRowCursor([scored.Schema["Score"]]))
        {
            var getScore = cursor.GetGetter<float>(scored.Schema["Score"]);
            float score = 0;
            while (cursor.MoveNext())
            {
                if (cursor.Position == 150)
                {
                    failure = Assert.Throws<InvalidOperationException>(() => getScore(ref score));
                    continue;
                }
                getScore(ref score);
                scores.Add(BitConverter.SingleToInt32Bits(score));
            }
        }

        Assert.Contains("row 150", failure!.Message);
        Assert.Contains("Features", failure.Message);
        Assert.Equal([.. expected[..150], .. expected[151..]], scores);
    }

    [Fact]
    public void DataThatGivesTwoCursorsDifferentRowsFailsSayingSo()
    {
        var transformer = RegressionTransformer(mlContext);
        var data = new RotatingDataView(Rows(200, seed: 11, blankEvery: 0, longAt: []).Select(row => row.Features).ToArray());
        IDataView scored = transformer.Transform(data);

        var error = Assert.Throws<InvalidOperationException>(() => scored.GetColumn<float>("Score").ToList());

        Assert.Contains("different rows to two cursors", error.Message);
    }

    [Fact]
    public void AShuffledCursorScoresRowByRowWithTheSameValues()
    {
        var transformer = RegressionTransformer(mlContext);
        IDataView data = mlContext.Data.Cache(mlContext.Data.LoadFromEnumerable(Rows(300, seed: 13, blankEvery: 0, longAt: [])));
        IDataView scored = transformer.Transform(data);
        List<int> inOrder = FloatBits(scored, "Score");
        Assert.True(scored.CanShuffle);

        var shuffled = new List<int>();
        using (var cursor = scored.GetRowCursor([scored.Schema["Score"]], new Random(4)))
        {
            var getScore = cursor.GetGetter<float>(scored.Schema["Score"]);
            float score = 0;
            while (cursor.MoveNext())
            {
                getScore(ref score);
                shuffled.Add(BitConverter.SingleToInt32Bits(score));
            }
        }

        Assert.NotEqual(inOrder, shuffled);
        Assert.Equal(inOrder.Order(), shuffled.Order());
    }

    [Fact]
    public void ACursorClosedEarlyLeavesTheTransformerScoringAsBefore()
    {
        var transformer = RegressionTransformer(mlContext);
        IDataView data = mlContext.Data.LoadFromEnumerable(Rows(2000, seed: 15, blankEvery: 0, longAt: []));
        IDataView scored = transformer.Transform(data);
        List<int> expected = FloatBits(scored, "Score");

        for (int stop = 1; stop < 1500; stop += 499)
        {
            using var cursor = scored.GetRowCursor([scored.Schema["Score"]]);
            var getScore = cursor.GetGetter<float>(scored.Schema["Score"]);
            float score = 0;
            while (cursor.Position < stop && cursor.MoveNext())
                getScore(ref score);
            Assert.Equal(expected[stop], BitConverter.SingleToInt32Bits(score));
        }

        Assert.Equal(expected, FloatBits(scored, "Score"));
    }

    [Fact]
    public void ACursorThatReadsOnlyInputColumnsReadsTheInputAlone()
    {
        var transformer = RegressionTransformer(mlContext);
        IDataView data = mlContext.Data.LoadFromEnumerable(Rows(50, seed: 17, blankEvery: 0, longAt: []));
        IDataView scored = transformer.Transform(data);

        using var cursor = scored.GetRowCursor([scored.Schema["Label"]]);

        Assert.False(cursor.IsColumnActive(scored.Schema["Score"]));
        Assert.Equal(data.GetColumn<float>("Label"), scored.GetColumn<float>("Label"));
    }

    /// <summary>Rows of 1–60 steps (a blank row every <paramref name="blankEvery"/>, none for 0; 1,100 steps at <paramref name="longAt"/>), labelled by their length.</summary>
    private static RegressionSequenceRow[] Rows(int count, int seed, int blankEvery, int[] longAt)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            int steps = longAt.Contains(i) ? SequencePredictor.RetainedSteps + 76 : blankEvery > 0 && i % blankEvery == 3 ? 0 : random.Next(1, 61);
            return new RegressionSequenceRow
            {
                Features = [.. Enumerable.Range(0, steps * FeaturesPerStep).Select(_ => (float)random.NextDouble())],
                Label = steps,
            };
        })];
    }

    /// <summary>The bits of every value of <paramref name="column"/>, scored row by row as a <c>PredictionEngine</c> scores them.</summary>
    private static List<int> RowByRowBits(ITransformer transformer, IDataView data, string column)
    {
        IRowToRowMapper mapper = transformer.GetRowToRowMapper(data.Schema);
        DataViewSchema.Column output = mapper.OutputSchema[column];
        using var cursor = data.GetRowCursor(mapper.GetDependencies([output]));
        using var row = mapper.GetRow(cursor, [output]);
        return FloatBits(cursor, row, output);
    }

    /// <summary>Float sequences in column "Features" whose every new cursor starts one row further on: data that breaks ML.NET's rule of the same rows each time.</summary>
    private sealed class RotatingDataView(float[][] rows) : IDataView
    {
        private readonly float[][] rows = rows;
        private int cursors;

        public bool CanShuffle => false;

        public DataViewSchema Schema { get; } = BuildSchema();

        private static DataViewSchema BuildSchema()
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single));
            return builder.ToSchema();
        }

        public long? GetRowCount() => rows.Length;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            new Cursor(this, cursors++);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];

        private sealed class Cursor(RotatingDataView parent, int offset) : DataViewRowCursor
        {
            private long position = -1;

            public override long Position => position;

            public override long Batch => 0;

            public override DataViewSchema Schema => parent.Schema;

            public override bool IsColumnActive(DataViewSchema.Column column) => true;

            public override bool MoveNext() => ++position < parent.rows.Length;

            private int Row => (int)((position + offset) % parent.rows.Length);

            public override ValueGetter<DataViewRowId> GetIdGetter() =>
                (ref DataViewRowId id) => id = new DataViewRowId((ulong)Row, 0);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
                {
                    float[] features = parent.rows[Row];
                    var editor = VBufferEditor.Create(ref value, features.Length);
                    features.CopyTo(editor.Values);
                    value = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)getter;
            }
        }
    }
}
