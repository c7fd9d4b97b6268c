using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>Progress, logging, cancellation, validation sets, seeds, and leaving the caller's objects alone.</summary>
public class LstmTrainerControlTests
{
    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<LstmTrainingProgress> report) : IProgress<LstmTrainingProgress>
    {
        public void Report(LstmTrainingProgress value) => report(value);
    }

    private static (MLContext MLContext, IDataView Keyed) KeyedReviews(int count)
    {
        var mlContext = new MLContext(seed: 1);
        var raw = mlContext.Data.LoadFromEnumerable(Reviews(count, seed: 1));
        return (mlContext, Tokenize(mlContext).Fit(raw).Transform(raw));
    }

    [Fact]
    public void EachEpochIsReportedToProgressAndToTheLog()
    {
        var (mlContext, data) = KeyedReviews(16);
        var log = new List<string>();
        mlContext.Log += (_, e) =>
        {
            lock (log)
                log.Add(e.Message);
        };
        var reports = new List<LstmTrainingProgress>();
        var options = Tiny<LstmBinaryTrainer.Options>(epochs: 3);
        options.Progress = new SynchronousProgress(reports.Add);

        mlContext.BinaryClassification.Trainers.Lstm(options).Fit(data);

        Assert.Equal([1, 2, 3], reports.Select(report => report.Epoch));
        Assert.All(reports, report => Assert.Equal(3, report.MaximumEpochs));
        Assert.All(reports, report => Assert.True(double.IsFinite(report.TrainingLoss)));
        Assert.True(reports[^1].Elapsed >= reports[0].Elapsed);
        lock (log)
        {
            Assert.Contains(log, message => message.Contains("epoch 3/3: training loss"));
            Assert.Contains(log, message => message.Contains("Training an LSTM binary classifier"));
        }
    }

    [Fact]
    public void CancelledTokenStopsBeforeTraining()
    {
        var (mlContext, data) = KeyedReviews(8);
        var options = Tiny<LstmBinaryTrainer.Options>();
        options.CancellationToken = new CancellationToken(canceled: true);

        Assert.ThrowsAny<OperationCanceledException>(() => mlContext.BinaryClassification.Trainers.Lstm(options).Fit(data));
    }

    [Fact]
    public void CancellingDuringTrainingStopsPromptly()
    {
        var (mlContext, data) = KeyedReviews(32);
        using var cancellation = new CancellationTokenSource();
        int epochs = 0;
        var options = Tiny<LstmBinaryTrainer.Options>(epochs: 10_000);
        options.CancellationToken = cancellation.Token;
        options.Progress = new SynchronousProgress(_ =>
        {
            epochs++;
            cancellation.Cancel();
        });

        Assert.ThrowsAny<OperationCanceledException>(() => mlContext.MulticlassClassification.Trainers.Lstm(
            CopyInto(new LstmMulticlassTrainer.Options(), options)).Fit(mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data)));

        Assert.Equal(1, epochs);
    }

    [Fact]
    public void ValidationSetIsReportedAndStopsEarly()
    {
        // The validation rows carry flipped labels: the better the model fits the training rows, the worse its
        // validation loss, so only early stopping can end the run before its 200 epochs.
        var mlContext = new MLContext(seed: 1);
        SentenceRow[] rows = Reviews(32, seed: 1);
        var validationRows = rows[24..].Select(row => new SentenceRow { Text = row.Text, Label = !row.Label }).ToArray();
        var tokenize = Tokenize(mlContext).Fit(mlContext.Data.LoadFromEnumerable(rows));
        var train = tokenize.Transform(mlContext.Data.LoadFromEnumerable(rows[..24]));
        var validation = tokenize.Transform(mlContext.Data.LoadFromEnumerable(validationRows));
        var reports = new List<LstmTrainingProgress>();
        var options = Tiny<LstmBinaryTrainer.Options>(epochs: 200);
        options.EarlyStoppingPatience = 2;
        options.Progress = new SynchronousProgress(reports.Add);

        mlContext.BinaryClassification.Trainers.Lstm(options).Fit(train, validation);

        Assert.All(reports, report => Assert.NotNull(report.ValidationLoss));
        Assert.All(reports, report => Assert.NotNull(report.ValidationAccuracy));
        Assert.True(reports.Count < 200, "early stopping should end the run");
    }

    [Fact]
    public void ValidationFractionHoldsOutRows()
    {
        // A quarter of 800 rows is 200, the smallest split that is held out (LstmSmallDataTests pins the rule).
        var (mlContext, data) = KeyedReviews(800);
        var reports = new List<LstmTrainingProgress>();
        var options = Tiny<LstmBinaryTrainer.Options>(epochs: 2);
        options.ValidationFraction = 0.25;
        options.Progress = new SynchronousProgress(reports.Add);

        mlContext.BinaryClassification.Trainers.Lstm(options).Fit(data);

        Assert.All(reports, report => Assert.NotNull(report.ValidationLoss));
    }

    [Fact]
    public void SameMLContextSeedGivesTheSameModel()
    {
        List<int> Scores()
        {
            var (mlContext, data) = KeyedReviews(16);
            var options = Tiny<LstmBinaryTrainer.Options>(epochs: 2);
            return FloatBits(mlContext.BinaryClassification.Trainers.Lstm(options).Fit(data).Transform(data), "Score");
        }

        Assert.Equal(Scores(), Scores());
    }

    [Fact]
    public void OptionsAreCopiedAndLeftUnchanged()
    {
        var (mlContext, data) = KeyedReviews(8);
        var options = Tiny<LstmBinaryTrainer.Options>(epochs: 1);
        var trainer = mlContext.BinaryClassification.Trainers.Lstm(options);

        options.Epochs = -5; // too late to matter: the trainer copied the options
        var scored = trainer.Fit(data).Transform(data);

        Assert.Equal(-5, options.Epochs);
        Assert.Null(options.Seed);
        Assert.Equal(8, Values<bool>(scored, "PredictedLabel").Count);
    }

    [Fact]
    public void TrainingDataIsLeftUnchanged()
    {
        var mlContext = new MLContext(seed: 1);
        SeriesRow[] rows = Series(8, seed: 1);
        float[][] before = rows.Select(row => (float[])row.Features.Clone()).ToArray();
        var options = Tiny<LstmRegressionTrainer.Options>(featureColumnName: "Features", epochs: 1);
        options.FeaturesPerStep = 2;
        options.MaxSequenceLength = 1;

        mlContext.Regression.Trainers.Lstm(options).Fit(mlContext.Data.LoadFromEnumerable(rows));

        Assert.Equal(before, rows.Select(row => row.Features));
    }

    private static TOptions CopyInto<TOptions>(TOptions target, LstmTrainerOptionsBase source) where TOptions : LstmTrainerOptionsBase
    {
        target.FeatureColumnName = source.FeatureColumnName;
        target.EmbeddingSize = source.EmbeddingSize;
        target.HiddenSize = source.HiddenSize;
        target.Epochs = source.Epochs;
        target.BatchSize = source.BatchSize;
        target.LearningRate = source.LearningRate;
        target.Dropout = source.Dropout;
        target.ValidationFraction = source.ValidationFraction;
        target.NumberOfThreads = source.NumberOfThreads;
        target.CancellationToken = source.CancellationToken;
        target.Progress = source.Progress;
        return target;
    }
}
