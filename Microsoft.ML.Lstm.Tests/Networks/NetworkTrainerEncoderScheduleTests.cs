using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// <see cref="TrainingOptions.EncoderLearningRateScale"/> and <see cref="TrainingOptions.EncoderFrozenEpochs"/>: the
/// encoder's share of each step and the epochs it sits out (ULMFiT's discriminative fine-tuning and gradual unfreezing).
/// </summary>
public class NetworkTrainerEncoderScheduleTests
{
    private static NetworkSpec Spec() => new(
        Tokens(OrderSensitiveSentiment.Vocabulary.Length, 8, 6, CellType.Lstm, bidirectional: true),
        new PooledHeadSpec { Pooling = PoolingMode.Max, OutputSize = 1, Loss = LossKind.SigmoidBinaryCrossEntropy });

    private static TrainingOptions OneStep(OptimizerKind optimizer) => new()
    {
        Epochs = 1, BatchSize = 64, LearningRate = 0.05, Optimizer = optimizer, Momentum = 0.9, WeightDecay = 0.01,
        Seed = 3, Threads = 1, LearningRateDecayFactor = 1,
    };

    private static bool IsHead(ParameterView view) => view.Name.StartsWith("head.", StringComparison.Ordinal);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EncoderTakesItsFractionOfTheStepAndTheHeadAllOfIt(bool adam)
    {
        OptimizerKind optimizer = adam ? OptimizerKind.Adam : OptimizerKind.Sgd;
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(64, seed: 4));
        var full = new SequenceNetwork<float>(Spec(), seed: 1, threads: 1);
        var quarter = new SequenceNetwork<float>(Spec(), seed: 1, threads: 1);
        float[] start = full.Parameters.Values.ToArray();
        Assert.Equal(start, quarter.Parameters.Values.ToArray());

        new NetworkTrainer<float>(full, OneStep(optimizer)).Train(examples);
        new NetworkTrainer<float>(quarter, OneStep(optimizer) with { EncoderLearningRateScale = 0.25 }).Train(examples);

        int encoderValues = 0;
        foreach (ParameterView view in full.Parameters.Views)
        {
            ReadOnlySpan<float> before = start.AsSpan(view.Offset, view.Length);
            float[] fullStep = full.Parameters.Value(view).ToArray(), quarterStep = quarter.Parameters.Value(view).ToArray();
            if (IsHead(view))
            {
                Assert.Equal(fullStep, quarterStep); // the same gradients, the whole step
                continue;
            }
            for (int i = 0; i < view.Length; i++)
            {
                double expected = 0.25 * (fullStep[i] - before[i]), moved = quarterStep[i] - before[i];
                Assert.True(Math.Abs(moved - expected) <= 1e-6 + 1e-4 * Math.Abs(expected),
                    $"{view.Name}[{i}]: moved {moved}, a quarter of the full step is {expected}");
                encoderValues += fullStep[i] != before[i] ? 1 : 0;
            }
        }
        Assert.True(encoderValues > 100, $"only {encoderValues} encoder values moved");
    }

    [Fact]
    public void EncoderSitsOutItsFrozenEpochsThenTrains()
    {
        var examples = OrderSensitiveSentiment.AsExamples(OrderSensitiveSentiment.Generate(64, seed: 4));
        var network = new SequenceNetwork<float>(Spec(), seed: 1, threads: 1);
        float[] start = network.Parameters.Values.ToArray();
        ParameterView[] encoder = [.. network.Parameters.Views.Where(view => !IsHead(view))], head = [.. network.Parameters.Views.Where(IsHead)];
        bool encoderKeptInEpoch1 = true, headMovedInEpoch1 = false;
        var options = OneStep(OptimizerKind.Adam) with
        {
            Epochs = 3, BatchSize = 16, EncoderFrozenEpochs = 2,
            BatchDone = (epoch, _) =>
            {
                if (epoch > 2)
                    return;
                encoderKeptInEpoch1 &= encoder.All(view => network.Parameters.Value(view).SequenceEqual(start.AsSpan(view.Offset, view.Length)));
                headMovedInEpoch1 |= head.Any(view => !network.Parameters.Value(view).SequenceEqual(start.AsSpan(view.Offset, view.Length)));
            },
        };
        new NetworkTrainer<float>(network, options).Train(examples);

        Assert.True(encoderKeptInEpoch1, "the encoder moved in a frozen epoch");
        Assert.True(headMovedInEpoch1, "the head did not train while the encoder was frozen");
        Assert.All(encoder, view => Assert.False(network.Parameters.Value(view).SequenceEqual(start.AsSpan(view.Offset, view.Length)), $"{view.Name} never trained"));
    }
}
