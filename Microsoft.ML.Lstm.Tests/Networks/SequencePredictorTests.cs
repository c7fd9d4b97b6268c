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
    public void ANewLengthReplacesTheBatchUsedLeastRecently()
    {
        var predictor = new SequencePredictor(new SequenceNetwork<float>(Pooled(Tokens(10, 4, 4), PoolingMode.Max, 1, LossKind.SigmoidBinaryCrossEntropy), seed: 1, threads: 1));
        var output = new float[1];
        for (int length = 1; length <= SequencePredictor.MaxCachedLengths; length++)
            predictor.Predict(new int[length], output);
        predictor.Predict(new int[1], output); // length 2 is now the least recently used

        predictor.Predict(new int[SequencePredictor.MaxCachedLengths + 1], output);

        Assert.Equal(SequencePredictor.MaxCachedLengths, predictor.CachedBatchCount);
        Assert.True(predictor.HoldsBatchOf(1));
        Assert.False(predictor.HoldsBatchOf(2));
        Assert.True(predictor.HoldsBatchOf(3));
        Assert.True(predictor.HoldsBatchOf(SequencePredictor.MaxCachedLengths + 1));
    }

    [Fact]
    public void CommonLengthsAllocateNothingWhileRareOnesPassThrough()
    {
        // Text: a few lengths come again and again, many others once; more lengths in all than the predictor keeps.
        var predictor = new SequencePredictor(new SequenceNetwork<float>(Pooled(Tokens(10, 4, 4), PoolingMode.Max, 1, LossKind.SigmoidBinaryCrossEntropy), seed: 1, threads: 1));
        var output = new float[1];
        int[][] common = [.. Enumerable.Range(5, 16).Select(length => new int[length])];
        int[][] rare = [.. Enumerable.Range(30, 3 * SequencePredictor.MaxCachedLengths).Select(length => new int[length])];
        foreach (int[] tokens in common)
            predictor.Predict(tokens, output);

        long allocated = 0;
        foreach (int[] rareTokens in rare)
        {
            predictor.Predict(rareTokens, output);
            allocated += ThreadAllocations.Of(() =>
            {
                foreach (int[] tokens in common)
                    predictor.Predict(tokens, output);
            });
        }

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

    [Fact]
    public void PredictionsWithCharactersAndExtraFeaturesMatchTheBatchedNetwork()
    {
        EncoderSpec encoder = Tokens(7, 3, 4, bidirectional: true) with
        {
            CharacterVocabularySize = 5, CharacterEmbeddingSize = 2, CharacterHiddenSize = 3, ExtraFeaturesPerStep = 2,
        };
        NetworkSpec spec = Crf(encoder, BioCrf(types: 2));
        var network = new SequenceNetwork<float>(spec, seed: 1, threads: 2);
        var model = SequenceModel.FromNetwork(network);
        int[][] tokens = [[1, 2, 3], [4], [5, 6, 0, 2]];
        int[][][] characters = [[[1, 2], [3], [4, 4, 0]], [[2]], [[1], [2, 3], [0], [4, 1, 1]]];
        float[][] extra = [[1, 0, 0, 1, 1, 1], [0, 0], [1, 0, 0, 0, 0, 1, 1, 1]];
        float[] batched = network.Predict(SequenceBatch<float>.FromTokens(tokens).WithExtraFeatures(extra, 2).WithCharacters(characters)).ToArray();
        int offset = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            var output = new float[model.PredictionCount(tokens[i].Length)];
            model.Predict(tokens[i], characters[i], extra[i], output);
            Assert.Equal(batched.AsSpan(offset, output.Length).ToArray(), output);
            offset += output.Length;
        }
    }
}
