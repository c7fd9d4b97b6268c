using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class NetworkTrainerTests
{
    private static NetworkSpec SmallBinarySpec(CellType cell = CellType.Lstm, double dropout = 0) => new(
        Tokens(OrderSensitiveSentiment.Vocabulary.Length, 16, 24, cell, bidirectional: true) with { Dropout = dropout },
        new PooledHeadSpec { Pooling = PoolingMode.LastState, OutputSize = 1, Loss = LossKind.SigmoidBinaryCrossEntropy, Dropout = dropout });

    private static TrainingOptions BinaryOptions(int threads = 2) => new()
    {
        Epochs = 12,
        BatchSize = 32,
        LearningRate = 0.01,
        Seed = 7,
        Threads = threads,
    };

    [Fact]
    public void BidirectionalLstmLearnsOrderThatBagOfWordsCannot()
    {
        var train = OrderSensitiveSentiment.Generate(2000, seed: 1);
        var test = OrderSensitiveSentiment.Generate(500, seed: 2);

        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 7, threads: 2);
        var trainer = new NetworkTrainer<float>(network, BinaryOptions());
        trainer.Train(OrderSensitiveSentiment.AsExamples(train));
        double lstmAccuracy = trainer.Evaluate(OrderSensitiveSentiment.AsExamples(test)).Accuracy!.Value;

        double bagOfWordsAccuracy = BagOfWordsLogisticRegression.TrainAndScore(train, test, OrderSensitiveSentiment.Vocabulary.Length);

        Assert.True(lstmAccuracy >= 0.95, $"BiLSTM accuracy {lstmAccuracy:P1} is below 95 %.");
        Assert.True(bagOfWordsAccuracy < 0.62, $"Bag of words reached {bagOfWordsAccuracy:P1}; the task should defeat it.");
    }

    [Fact]
    public void SameSeedAndThreadsGiveBitIdenticalWeights()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(300, seed: 3));
        float[] Train()
        {
            var network = new SequenceNetwork<float>(SmallBinarySpec(CellType.Gru, dropout: 0.2), seed: 5, threads: 2);
            new NetworkTrainer<float>(network, BinaryOptions() with { Epochs = 2 }).Train(examples);
            return network.Parameters.Values;
        }
        float[] first = Train(), second = Train();
        Assert.Equal(first, second);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpochsWeights()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(200, seed: 4));
        var validation = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(100, seed: 5));
        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 1, threads: 1);
        // A huge learning rate without a schedule makes validation loss bounce, so patience runs out.
        var options = BinaryOptions(threads: 1) with { Epochs = 30, LearningRate = 0.3, EarlyStoppingPatience = 2, LearningRateDecayFactor = 1 };
        var trainer = new NetworkTrainer<float>(network, options);
        TrainingResult result = trainer.Train(examples, validation);

        double best = result.History.Min(h => h.ValidationLoss!.Value);
        Assert.Equal(best, result.History[result.BestEpoch - 1].ValidationLoss!.Value);
        Assert.Equal(best, trainer.Evaluate(validation).Loss, 6);
        Assert.True(result.StoppedEarly);
    }

    [Fact]
    public void DivergingTrainingStopsWithAClearError()
    {
        var examples = new List<SequenceExample>
        {
            SequenceExample.FromFeatures([1f, 2f, 3f], [1e30f]),
            SequenceExample.FromFeatures([3f, 2f], [-1e30f]),
        };
        var network = new SequenceNetwork<float>(Pooled(Features(1, 4), PoolingMode.LastState, 1, LossKind.MeanSquaredError), seed: 1, threads: 1);
        var options = new TrainingOptions { Epochs = 50, LearningRate = 1e6, GradientClipNorm = 0, Threads = 1 };
        var error = Assert.Throws<TrainingDivergedException>(() => new NetworkTrainer<float>(network, options).Train(examples));
        Assert.Contains("diverged", error.Message);
    }

    [Fact]
    public void FrozenEmbeddingStaysExactWithWeightDecayAndL2()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(100, seed: 8));
        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 1, threads: 1);
        network.Embedding!.Trainable = false;
        float[] before = network.Embedding.Vectors.ToArray();
        float[] recurrentBefore = network.Parameters.Value(network.Parameters.Find("rnn.l0.weight_hh")).ToArray();
        new NetworkTrainer<float>(network, BinaryOptions(threads: 1) with { Epochs = 2, WeightDecay = 0.1, L2 = 0.01 }).Train(examples);
        Assert.Equal(before, network.Embedding.Vectors.ToArray());
        Assert.NotEqual(recurrentBefore, network.Parameters.Value(network.Parameters.Find("rnn.l0.weight_hh")).ToArray());
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(100, seed: 6));
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 1, threads: 1);
        var options = BinaryOptions(threads: 1) with { CancellationToken = cancellation.Token };
        Assert.ThrowsAny<OperationCanceledException>(() => new NetworkTrainer<float>(network, options).Train(examples));
    }

    [Fact]
    public void ProgressIsReportedEveryEpoch()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(100, seed: 6));
        var reports = new List<TrainingProgress>();
        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 1, threads: 1);
        var options = BinaryOptions(threads: 1) with { Epochs = 3, ValidationFraction = 0.2, Progress = new SynchronousProgress<TrainingProgress>(reports.Add) };
        new NetworkTrainer<float>(network, options).Train(examples);
        Assert.Equal([1, 2, 3], reports.Select(r => r.Epoch));
        Assert.All(reports, r => Assert.NotNull(r.ValidationAccuracy));
    }

    [Fact]
    public void TargetsOfTheWrongCountAreRejectedBeforeTraining()
    {
        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 1, threads: 1);
        var examples = new List<SequenceExample> { SequenceExample.FromTokens([1, 2], [1f, 0f]) };
        var error = Assert.Throws<ArgumentException>(() => new NetworkTrainer<float>(network, BinaryOptions(1)).Train(examples));
        Assert.Contains("Example 0", error.Message);
    }

    [Fact]
    public void AValidationScoreDecidesTheKeptEpochAndEarlyStopping()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(100, seed: 9));
        var validation = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(40, seed: 10));
        double[] scores = [0.2, 0.7, 0.5, 0.6, 0.9];
        int calls = 0;
        float[]? weightsAtEpoch2 = null;
        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 1, threads: 1);
        var options = BinaryOptions(threads: 1) with
        {
            Epochs = 5,
            EarlyStoppingPatience = 2,
            ValidationScore = (set, predictions) =>
            {
                Assert.Same(validation, set);
                Assert.All(predictions, p => Assert.Single(p)); // one logit per sequence
                if (calls == 1)
                    weightsAtEpoch2 = (float[])network.Parameters.Values.Clone();
                return scores[calls++];
            },
        };

        TrainingResult result = new NetworkTrainer<float>(network, options).Train(examples, validation);

        // Epoch 2 scored best; epochs 3 and 4 did not beat it, so patience 2 stopped before epoch 5's 0.9.
        Assert.Equal(2, result.BestEpoch);
        Assert.True(result.StoppedEarly);
        Assert.Equal(4, result.EpochsRun);
        Assert.Equal([0.2, 0.7, 0.5, 0.6], result.History.Select(h => h.ValidationScore!.Value));
        Assert.Equal(weightsAtEpoch2, network.Parameters.Values);
    }

    [Fact]
    public void EqualValidationScoresAreToldApartByTheValidationLoss()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(100, seed: 9));
        var validation = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(40, seed: 10));
        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 1, threads: 1);
        var options = BinaryOptions(threads: 1) with { Epochs = 4, EarlyStoppingPatience = 0, ValidationScore = (_, _) => 0 };

        TrainingResult result = new NetworkTrainer<float>(network, options).Train(examples, validation);

        double lowest = result.History.Min(h => h.ValidationLoss!.Value);
        Assert.Equal(lowest, result.History[result.BestEpoch - 1].ValidationLoss);
    }

    [Fact]
    public void AValidationScoreOutsideZeroToOneIsRefused()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(50, seed: 9));
        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 1, threads: 1);
        var options = BinaryOptions(threads: 1) with { Epochs = 2, ValidationFraction = 0.2, ValidationScore = (_, _) => double.NaN };

        var error = Assert.Throws<InvalidOperationException>(() => new NetworkTrainer<float>(network, options).Train(examples));

        Assert.Contains("The validation score is NaN; expected a number in [0, 1]", error.Message);
    }

    [Fact]
    public void TokenDropoutTrainsOnlyTheUnknownTokensRowOfTheEmbeddingWhenItReplacesEveryToken()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(60, seed: 11));
        var network = new SequenceNetwork<float>(SmallBinarySpec(), seed: 1, threads: 1);
        int vocabulary = network.Spec.Encoder.VocabularySize, width = network.Embedding!.Dimension, unknown = vocabulary - 1;
        float[] before = network.Embedding.Vectors.ToArray();
        int[][] tokensBefore = [.. examples.Select(e => e.Tokens!.ToArray())];
        var replaceAll = new TokenDropout(unknown, 1, Enumerable.Repeat(true, vocabulary).ToArray());

        new NetworkTrainer<float>(network, BinaryOptions(threads: 1) with { Epochs = 1, TokenDropout = replaceAll }).Train(examples);

        float[] after = network.Embedding.Vectors.ToArray();
        Assert.Equal(before.AsSpan(0, unknown * width).ToArray(), after.AsSpan(0, unknown * width).ToArray());
        Assert.NotEqual(before.AsSpan(unknown * width).ToArray(), after.AsSpan(unknown * width).ToArray());
        Assert.Equal(tokensBefore, examples.Select(e => e.Tokens!));
    }

    [Fact]
    public void TokenDropoutReplacesOnlyTheMarkedTokensAtItsRate()
    {
        var dropout = new TokenDropout(UnknownToken: 9, Probability: 0.5, Replaceable: [true, false, true, false, false, false, false, false, false, false]);
        int[] tokens = [.. Enumerable.Repeat(new[] { 0, 1, 2, 3 }, 1000).SelectMany(t => t)];

        dropout.Apply(tokens, new Random(1));

        Assert.All(tokens.Where((_, i) => i % 4 is 1 or 3), token => Assert.NotEqual(9, token));
        int replaced = tokens.Count(token => token == 9);
        Assert.InRange(replaced, 900, 1100); // 2000 replaceable occurrences at 0.5
        Assert.Throws<ArgumentOutOfRangeException>(() => dropout.Validate(vocabularySize: 9));
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
