using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Thread safety (README, "Guarantees"): one transformer scored from many threads at once gives what serial scoring
/// gives, bit for bit; one PredictionEngine used by two threads at once throws rather than mixing their rows up.
/// </summary>
public class ConcurrentScoringTests
{
    private const int Threads = 8;
    private readonly MLContext mlContext = new(seed: 1);

    [Theory]
    [MemberData(nameof(EstimatorCases.Names), MemberType = typeof(EstimatorCases))]
    public void CursorsOnEightThreadsEqualSerialScoring(string name)
    {
        EstimatorCase estimatorCase = EstimatorCases.Named(name);
        IDataView data = estimatorCase.TrainingData(mlContext);
        ITransformer model = estimatorCase.Estimator(mlContext).Fit(data);
        IDataView scored = model.Transform(data);
        string[] columns = [.. scored.Schema.Where(column => !column.IsHidden && column.Index >= data.Schema.Count).Select(column => column.Name)];
        List<string>[] serial = [.. columns.Select(column => ColumnValues.Read(scored, column))];

        var parallel = new List<string>[Threads][];
        RunTogether(Threads, thread =>
        {
            // Each thread transforms on its own (a fresh mapper and cursors over the one shared transformer), twice.
            for (int round = 0; round < 2; round++)
                parallel[thread] = [.. columns.Select(column => ColumnValues.Read(model.Transform(data), column))];
        });

        foreach (List<string>[] result in parallel)
        {
            for (int c = 0; c < columns.Length; c++)
                Assert.Equal(serial[c], result[c]);
        }
    }

    [Fact]
    public void APredictionEnginePerThreadEqualsSerialScoring()
    {
        (ITransformer model, SentenceRow[] rows) = BinaryModel();
        float[] serial = Scores(model, rows);

        var parallel = new float[Threads][];
        RunTogether(Threads, thread => parallel[thread] = Scores(model, rows));

        Assert.All(parallel, scores => Assert.Equal(SequenceTestData.Bits(serial), SequenceTestData.Bits(scores)));
    }

    [Fact]
    public void APredictionEngineUsedByTwoThreadsAtOnceThrowsRatherThanMixingRows()
    {
        (ITransformer model, SentenceRow[] rows) = BinaryModel();
        float[] expected = Scores(model, rows);
        using var shared = mlContext.Model.CreatePredictionEngine<SentenceRow, BinaryPrediction>(model);
        int wrong = 0, refused = 0, right = 0;

        RunTogether(2, thread =>
        {
            for (int call = 0; call < 400; call++)
            {
                int row = (call * 2 + thread) % rows.Length;
                try
                {
                    float score = shared.Predict(rows[row]).Score;
                    Interlocked.Increment(ref BitConverter.SingleToInt32Bits(score) == BitConverter.SingleToInt32Bits(expected[row]) ? ref right : ref wrong);
                }
                catch (InvalidOperationException error) when (error.Message.Contains("two threads at once"))
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });

        Assert.True(refused > 0, $"no call was refused ({right} right, {wrong} wrong): the threads never overlapped, so the test shows nothing");
        Assert.Equal(0, wrong);
    }

    private (ITransformer Model, SentenceRow[] Rows) BinaryModel()
    {
        SentenceRow[] rows = LstmTestData.Reviews(40, seed: 1);
        var pipeline = LstmTestData.Tokenize(mlContext).Append(mlContext.BinaryClassification.Trainers.Lstm(LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 2)));
        // Long rows, so that a call takes long enough for two threads to meet in it.
        SentenceRow[] scored = [.. rows.Select((row, i) => new SentenceRow { Text = string.Join(' ', Enumerable.Repeat(row.Text, 20 + i % 7)) })];
        return (pipeline.Fit(mlContext.Data.LoadFromEnumerable(rows)), scored);
    }

    private float[] Scores(ITransformer model, SentenceRow[] rows)
    {
        using var engine = mlContext.Model.CreatePredictionEngine<SentenceRow, BinaryPrediction>(model);
        return [.. rows.Select(row => engine.Predict(row).Score)];
    }

    /// <summary>Runs <paramref name="body"/>(thread) on <paramref name="threads"/> threads released together; rethrows the first failure.</summary>
    private static void RunTogether(int threads, Action<int> body)
    {
        using var start = new Barrier(threads);
        var errors = new Exception?[threads];
        var workers = Enumerable.Range(0, threads).Select(thread => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                body(thread);
            }
            catch (Exception error)
            {
                errors[thread] = error;
            }
        })).ToArray();
        foreach (Thread worker in workers)
            worker.Start();
        foreach (Thread worker in workers)
            worker.Join();
        if (errors.FirstOrDefault(error => error is not null) is Exception first)
            throw new AggregateException(first);
    }
}
