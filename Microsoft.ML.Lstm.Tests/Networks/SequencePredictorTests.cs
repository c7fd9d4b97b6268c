using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class SequencePredictorTests
{
    [Fact]
    public void WarmPredictionAllocatesNothing()
    {
        NetworkSpec spec = Pooled(Tokens(40, 8, 16, layers: 2, bidirectional: true), PoolingMode.Attention, 3, LossKind.SoftmaxCrossEntropy);
        var predictor = new SequencePredictor(new SequenceNetwork<float>(spec, seed: 1, threads: 1));
        int[] tokens = [3, 1, 4, 1, 5, 9, 2, 6];
        var output = new float[3];
        predictor.Predict(tokens, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        predictor.Predict(tokens, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void PredictionsMatchTheBatchedNetwork()
    {
        NetworkSpec spec = Pooled(Features(2, 5, CellType.Gru, bidirectional: true), PoolingMode.LastState, 2, LossKind.SoftmaxCrossEntropy);
        var network = new SequenceNetwork<float>(spec, seed: 1, threads: 2);
        var model = SequenceModel.FromNetwork(network);
        float[][] sequences = [[0.1f, 0.2f, 0.3f, 0.4f], [1f, -1f], [0.5f, 0.5f, -0.5f, 0.25f, 0f, 1f]];
        float[] batched = network.Predict(SequenceBatch<float>.FromFeatures(sequences, 2)).ToArray();
        for (int i = 0; i < sequences.Length; i++)
        {
            var output = new float[2];
            model.Predict(sequences[i], output);
            Assert.Equal(batched.AsSpan(i * 2, 2).ToArray(), output);
        }
    }
}
