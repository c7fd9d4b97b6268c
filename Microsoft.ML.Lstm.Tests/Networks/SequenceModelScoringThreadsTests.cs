using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// <see cref="SequenceModel.WithScoringThreads"/>: predictors of the copy run on its threads, the model it was made from
/// keeps its own, and every path (a kept batch, a sequence longer than <see cref="SequencePredictor.RetainedSteps"/>)
/// gives the one-thread bits.
/// </summary>
public class SequenceModelScoringThreadsTests
{
    [Fact]
    public void PredictorsRunOnTheCopysThreadsAndTheOriginalKeepsOne()
    {
        var model = SequenceModel.FromNetwork(new SequenceNetwork<float>(Pooled(Tokens(20, 8, 32), PoolingMode.Max, 1, LossKind.SigmoidBinaryCrossEntropy), seed: 1, threads: 1));

        SequenceModel threaded = model.WithScoringThreads(3);

        Assert.Equal(3, threaded.ScoringThreads);
        Assert.Equal(3, threaded.PredictorThreads());
        Assert.Equal(1, model.ScoringThreads);
        Assert.Equal(1, model.PredictorThreads());
        Assert.Same(model.Network, threaded.Network);
        Assert.Equal(3, threaded.WithWeightFormat(Microsoft.ML.Lstm.Numerics.WeightFormat.Int8).PredictorThreads());
        Assert.Throws<ArgumentOutOfRangeException>(() => model.WithScoringThreads(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Network.CloneForInference(0));
    }

    [Theory]
    [InlineData(300)]
    [InlineData(SequencePredictor.RetainedSteps + 200)] // scored in a throwaway network of the predictor's threads
    public void OneLongSequenceGivesTheOneThreadBitsOnTwoAndFourThreads(int steps)
    {
        NetworkSpec spec = Pooled(Features(3, 64, layers: 2), PoolingMode.Mean, 2, LossKind.SoftmaxCrossEntropy);
        var model = SequenceModel.FromNetwork(new SequenceNetwork<float>(spec, seed: 5, threads: 1));
        var random = new Random(3);
        float[] sequence = [.. Enumerable.Range(0, 3 * steps).Select(_ => (float)random.NextDouble() - 0.5f)];
        var expected = new float[2];
        model.Predict(sequence, expected);

        foreach (int threads in new[] { 2, 4 })
        {
            SequenceModel threaded = model.WithScoringThreads(threads);
            var layer = (RecurrentLayer<float>)threaded.Network.CloneForInference(threads).Encoder.Stack.Layers[0];
            Assert.True(layer.SplitsUnits(PackedLayout.FromLengths([steps]), training: false), "the sequence is not split: the test shows nothing");
            var actual = new float[2];
            threaded.Predict(sequence, actual);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[0]), BitConverter.SingleToInt32Bits(actual[0]));
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[1]), BitConverter.SingleToInt32Bits(actual[1]));
        }
    }
}
