using System.Runtime.CompilerServices;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Tests.Networks;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Scoring memory is bounded (README, "Guarantees"): no cache grows with the lengths seen, one long input leaves no
/// buffers behind, and nothing stays reachable once a model is.
/// </summary>
[Collection(MemoryMeasureCollection.Name)]
public class ScoringMemoryTests
{
    private const int LongSequence = 100_000;

    [Fact]
    public void DistinctLengthsKeepABoundedCache()
    {
        var network = new SequenceNetwork<float>(NetworkSpecs.Pooled(NetworkSpecs.Tokens(11, embedding: 3, hidden: 4), PoolingMode.Mean, 1, LossKind.MeanSquaredError), 1, threads: 1);
        var predictor = new SequencePredictor(network);
        var output = new float[1];

        for (int length = 1; length <= 300; length++)
            predictor.Predict(new int[length], output);

        Assert.InRange(predictor.CachedBatchCount, 1, SequencePredictor.MaxCachedLengths);
    }

    [Fact]
    public void ALongSequenceLeavesNoBuffersBehindInAPredictionEngine()
    {
        var mlContext = new MLContext(seed: 1);
        var training = mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(40, seed: 1));
        var model = BiLstmPipeline(mlContext).Fit(training);
        var tokensOnly = LstmTestData.Tokenize(mlContext).Fit(training);

        // What ML.NET's tokenizer and key mapping keep of a long row themselves is not the package's to bound.
        (long keptByTokenizer, _) = KeptAfterALongRow<TokenKeys>(mlContext, tokensOnly);
        (long keptByModel, long allocated) = KeptAfterALongRow<BinaryPrediction>(mlContext, model);

        // The long call (its first RowPredictions.MaxScoringSteps steps scored) needs more than ten megabytes (less than
        // it did before scoring kept only the steps at hand of its buffers), so keeping them would show; it keeps a small part of that.
        Assert.True(allocated > 10_000_000, $"the long sequence allocated only {allocated:N0} bytes; the test measures nothing");
        Assert.True(keptByModel - keptByTokenizer < 1_000_000,
            $"{keptByModel - keptByTokenizer:N0} bytes more than the tokenizer's {keptByTokenizer:N0} stayed reachable after one {LongSequence:N0}-token prediction");
    }

    /// <summary>Bytes that stay reachable after an engine scores a long row and then a short one; and what the long row allocated.</summary>
    private static (long Kept, long Allocated) KeptAfterALongRow<TPrediction>(MLContext mlContext, ITransformer model) where TPrediction : class, new()
    {
        using var engine = mlContext.Model.CreatePredictionEngine<SentenceRow, TPrediction>(model);
        var shortRow = new SentenceRow { Text = "the movie was good" };
        var longRow = new SentenceRow { Text = string.Join(' ', Enumerable.Repeat("the movie was good and", LongSequence / 5)) };
        engine.Predict(shortRow);
        long before = MemoryMeasureCollection.ReachableBytes();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        engine.Predict(longRow);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        engine.Predict(shortRow);
        long after = MemoryMeasureCollection.ReachableBytes();
        GC.KeepAlive(longRow);
        return (after - before, allocated);
    }

    [Fact]
    public void NothingStaysReachableOnceTheModelIsNot()
    {
        long before = MemoryMeasureCollection.ReachableBytes();

        (WeakReference transformer, WeakReference network, long used) = TrainAndScoreOnTwoThreads();
        long after = MemoryMeasureCollection.ReachableBytes();

        Assert.True(used - before > 20_000_000, $"the model and its scoring held only {used - before:N0} bytes; the test measures nothing");
        Assert.False(transformer.IsAlive, "the transformer is still reachable");
        Assert.False(network.IsAlive, "the trained network is still reachable (the parallel workers?)");
        Assert.True(after - before < 4_000_000, $"{after - before:N0} bytes stayed reachable after the model was dropped");
    }

    /// <summary>Trains on two threads (so the parallel workers run the network's sections), scores a long sequence, and lets go.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Transformer, WeakReference Network, long Used) TrainAndScoreOnTwoThreads()
    {
        var mlContext = new MLContext(seed: 1);
        var options = LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 2);
        options.NumberOfThreads = 2;
        options.HiddenSize = 32;
        var pipeline = LstmTestData.Tokenize(mlContext).Append(mlContext.BinaryClassification.Trainers.Lstm(options));
        var model = pipeline.Fit(mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(64, seed: 1)));
        SequencePredictionTransformerBase scorer = model.LastTransformer;
        using (var engine = mlContext.Model.CreatePredictionEngine<SentenceRow, BinaryPrediction>(model))
        {
            // Scored whole in the training network too (two threads, as trained), so its buffers grow large.
            var tokens = new int[LongSequence];
            scorer.Model.Network.Predict(SequenceBatch<float>.FromTokens([tokens, tokens[..(LongSequence / 2)]]));
            engine.Predict(new SentenceRow { Text = "the movie was good" });
        }
        long used = MemoryMeasureCollection.ReachableBytes();
        return (new WeakReference(scorer), new WeakReference(scorer.Model.Network), used);
    }

    /// <summary>The token keys, as a PredictionEngine over the tokenizer alone returns them.</summary>
    public sealed class TokenKeys
    {
        public uint[] Tokens { get; set; } = [];
    }

    private static IEstimator<ITransformer> BiLstmPipeline(MLContext mlContext)
    {
        var options = LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 1);
        options.HiddenSize = 32;
        options.Bidirectional = true;
        return LstmTestData.Tokenize(mlContext).Append(mlContext.BinaryClassification.Trainers.Lstm(options));
    }
}
