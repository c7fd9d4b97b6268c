using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// A training checkpoint (README, "Guarantees"): stopped at any batch and resumed, training reaches the weights of an
/// uninterrupted run; checkpointing itself changes nothing; a checkpoint of another run or a damaged one is set aside.
/// </summary>
public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"lstm-checkpoint-{Guid.NewGuid():N}.bin");
    private readonly List<SequenceExample> examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(120, seed: 3));
    private readonly List<string> log = [];

    public void Dispose()
    {
        File.Delete(path);
        File.Delete(path + ".partial");
    }

    /// <summary>Everything that draws random numbers or keeps state between batches: dropout, token dropout, Adam, held-out validation with early stopping and the schedule.</summary>
    private static NetworkSpec Spec() => new(
        Tokens(OrderSensitiveSentiment.Vocabulary.Length, 8, 12, CellType.Lstm, bidirectional: true) with { Dropout = 0.3 },
        new PooledHeadSpec { Pooling = PoolingMode.Mean, OutputSize = 1, Loss = LossKind.SigmoidBinaryCrossEntropy, Dropout = 0.2 });

    private TrainingOptions Options(OptimizerKind optimizer = OptimizerKind.Adam) => new()
    {
        Epochs = 4,
        BatchSize = 16,
        LearningRate = 0.02,
        Optimizer = optimizer,
        Seed = 11,
        Threads = 2,
        ValidationFraction = 0.2,
        EarlyStoppingPatience = 3,
        LearningRateDecayPatience = 0,
        TokenDropout = new TokenDropout(UnknownToken: OrderSensitiveSentiment.Vocabulary.Length - 1, Probability: 0.1,
            Replaceable: [.. Enumerable.Range(0, OrderSensitiveSentiment.Vocabulary.Length).Select(token => token % 3 == 0)]),
        Log = log.Add,
    };

    private float[] Train(TrainingOptions options, out TrainingResult result)
    {
        var network = new SequenceNetwork<float>(Spec(), seed: 5, threads: 2);
        result = new NetworkTrainer<float>(network, options).Train(examples);
        return network.Parameters.Values;
    }

    [Fact]
    public void CheckpointingChangesNothingAndTheFileGoesWhenTrainingEnds()
    {
        float[] without = Train(Options(), out TrainingResult plain);

        float[] with = Train(Options() with { CheckpointPath = path, CheckpointInterval = TimeSpan.Zero }, out TrainingResult checkpointed);

        Assert.Equal(without, with);
        Assert.Equal(plain.History.Select(report => report.TrainingLoss), checkpointed.History.Select(report => report.TrainingLoss));
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Theory]
    [InlineData(false, 1, 1)]
    [InlineData(false, 1, 3)]
    [InlineData(false, 2, 6)] // the last batch of epoch 2: the epoch's evaluation comes after the resume
    [InlineData(false, 3, 4)]
    [InlineData(true, 2, 2)]
    public void StoppedAtAnyBatchAndResumedItReachesTheUninterruptedWeights(bool sgd, int stopEpoch, int stopBatch)
    {
        OptimizerKind optimizer = sgd ? OptimizerKind.Sgd : OptimizerKind.Adam;
        float[] uninterrupted = Train(Options(optimizer), out TrainingResult expected);

        using var stop = new CancellationTokenSource();
        var stopping = Options(optimizer) with
        {
            CheckpointPath = path,
            CheckpointInterval = TimeSpan.Zero,
            CancellationToken = stop.Token,
            BatchDone = (epoch, batch) =>
            {
                if ((epoch, batch) == (stopEpoch, stopBatch))
                    stop.Cancel();
            },
        };
        Assert.ThrowsAny<OperationCanceledException>(() => Train(stopping, out _));
        Assert.True(File.Exists(path));

        float[] resumed = Train(Options(optimizer) with { CheckpointPath = path, CheckpointInterval = TimeSpan.Zero }, out TrainingResult result);

        Assert.Contains($"Training resumes from the checkpoint '{path}': epoch {stopEpoch}, after {stopBatch} of its batches.", log);
        Assert.Equal(uninterrupted, resumed);
        Assert.Equal(expected.History.Select(report => (report.Epoch, report.TrainingLoss, report.ValidationLoss)),
            result.History.Select(report => (report.Epoch, report.TrainingLoss, report.ValidationLoss)));
        Assert.Equal(expected.BestEpoch, result.BestEpoch);
    }

    [Fact]
    public void ACheckpointOfAnotherRunIsSetAsideAndReplaced()
    {
        using var stop = new CancellationTokenSource();
        var other = Options() with { LearningRate = 0.05, CheckpointPath = path, CheckpointInterval = TimeSpan.Zero, CancellationToken = stop.Token, BatchDone = (_, _) => stop.Cancel() };
        Assert.ThrowsAny<OperationCanceledException>(() => Train(other, out _));
        float[] fresh = Train(Options(), out _);

        float[] trained = Train(Options() with { CheckpointPath = path, CheckpointInterval = TimeSpan.Zero }, out _);

        Assert.Contains(log, line => line.Contains("was set aside: it belongs to a run with other options, data or network"));
        Assert.Equal(fresh, trained);
    }

    [Fact]
    public void ADamagedCheckpointIsSetAsideAndTrainingStartsAfresh()
    {
        using var stop = new CancellationTokenSource();
        var stopping = Options() with { CheckpointPath = path, CheckpointInterval = TimeSpan.Zero, CancellationToken = stop.Token, BatchDone = (_, batch) => { if (batch == 2) stop.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => Train(stopping, out _));
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        float[] fresh = Train(Options(), out _);

        float[] trained = Train(Options() with { CheckpointPath = path, CheckpointInterval = TimeSpan.Zero }, out _);

        Assert.Contains(log, line => line.Contains("was set aside: it is damaged"));
        Assert.Equal(fresh, trained);
    }
}
