using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class SequencePredictorTests
{
    [Fact]
    public void WarmPredictionAllocatesNothing()
    {
        var spec = new NetworkSpec { Input = SequenceInputKind.Tokens, VocabularySize = 40, EmbeddingSize = 8, HiddenSize = 16, LayerCount = 2, Bidirectional = true, Pooling = PoolingMode.Attention, OutputSize = 3 };
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
        var spec = new NetworkSpec { Input = SequenceInputKind.Features, FeaturesPerStep = 2, Cell = CellType.Gru, HiddenSize = 5, Bidirectional = true, OutputSize = 2 };
        var network = new SequenceNetwork<float>(spec, seed: 1, threads: 2);
        var model = SequenceModel.FromNetwork(network);
        float[][] sequences = [[0.1f, 0.2f, 0.3f, 0.4f], [1f, -1f], [0.5f, 0.5f, -0.5f, 0.25f, 0f, 1f]];
        float[] batched = network.Forward(SequenceBatch<float>.FromFeatures(sequences, 2), training: false).ToArray();
        for (int i = 0; i < sequences.Length; i++)
        {
            var output = new float[2];
            model.Predict(sequences[i], output);
            Assert.Equal(batched.AsSpan(i * 2, 2).ToArray(), output);
        }
    }
}
