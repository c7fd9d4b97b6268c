using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class LossTests
{
    private static readonly Dictionary<string, (ILoss<double> Loss, int Rows, int PerRow, Func<Random, int, double> Target)> Losses = new()
    {
        ["softmax cross-entropy"] = (new SoftmaxCrossEntropyLoss<double>(4), 5, 4, (r, _) => r.Next(4)),
        ["weighted softmax cross-entropy"] = (new SoftmaxCrossEntropyLoss<double>(3, [0.5, 2.0, 1.0]), 6, 3, (r, _) => r.Next(3)),
        ["sigmoid binary cross-entropy"] = (new SigmoidBinaryCrossEntropyLoss<double>(), 7, 1, (r, _) => r.Next(2)),
        ["mean squared error"] = (new MeanSquaredErrorLoss<double>(), 4, 3, (r, _) => r.NextDouble() * 4 - 2),
        ["huber"] = (new HuberLoss<double>(0.7), 5, 2, (r, _) => r.NextDouble() * 6 - 3),
    };

    public static TheoryData<string> LossNames => new(Losses.Keys);

    [Theory]
    [MemberData(nameof(LossNames))]
    public void GradientMatchesFiniteDifferences(string name)
    {
        var (loss, rows, perRow, target) = Losses[name];
        var random = new Random(3);
        double[] predictions = Enumerable.Range(0, rows * perRow).Select(_ => random.NextDouble() * 6 - 3).ToArray();
        int targetCount = loss is SoftmaxCrossEntropyLoss<double> or SigmoidBinaryCrossEntropyLoss<double> ? rows : rows * perRow;
        double[] targets = Enumerable.Range(0, targetCount).Select(i => target(random, i)).ToArray();
        var gradient = new double[predictions.Length];
        loss.Compute(predictions, targets, gradient);

        var scratch = new double[predictions.Length];
        FiniteDifferences.Check(predictions, gradient, () => loss.Compute(predictions, targets, scratch), i => $"{name}[{i}]", 1e-7, 0);
    }

    [Fact]
    public void SoftmaxCrossEntropyMatchesPyTorchsWeightedMean()
    {
        // torch.nn.functional.cross_entropy(tensor([[1., 2., 3.], [1., 0., -1.]]), tensor([2, 0]), weight=tensor([2., 1., 0.5]))
        // = (0.5·0.40760596 + 2·0.40760596) / 2.5 = 0.40760596
        var loss = new SoftmaxCrossEntropyLoss<double>(3, [2, 1, 0.5]);
        double value = loss.Compute([1, 2, 3, 1, 0, -1], [2, 0], new double[6]);
        Assert.Equal(0.4076059644443804, value, 12);
    }

    [Fact]
    public void BinaryCrossEntropyIsStableForHugeLogits()
    {
        var loss = new SigmoidBinaryCrossEntropyLoss<float>();
        var gradient = new float[2];
        float value = loss.Compute([1000f, -1000f], [0f, 1f], gradient);
        Assert.Equal(1000f, value, 3);
        Assert.Equal([0.5f, -0.5f], gradient);
    }

    [Fact]
    public void SoftmaxCrossEntropyRejectsAClassOutOfRange()
    {
        var loss = new SoftmaxCrossEntropyLoss<float>(3);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Compute(new float[6], [1f, 3f], new float[6]));
        Assert.Contains("Row 1", error.Message);
    }

    [Fact]
    public void HuberIsQuadraticInsideDeltaAndLinearOutside()
    {
        var loss = new HuberLoss<double>(1.0);
        Assert.Equal(0.5 * 0.25, loss.Compute([0.5], [0], new double[1]), 12);
        Assert.Equal(3 - 0.5, loss.Compute([3], [0], new double[1]), 12);
    }
}
