using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// <c>FeaturizeByLstm</c>'s softmax options: the adaptive softmax chosen, automatically or by the user, saved and loaded
/// with its cutoffs, generating and scoring perplexity; and its bad options refused by name.
/// </summary>
public class LstmFeaturizingAdaptiveSoftmaxTests
{
    private static LstmFeaturizingEstimator.Options Small(LstmLanguageModelSoftmax softmax, int[]? cutoffs = null, int epochs = 2) => new()
    {
        OutputColumnName = "Vector",
        InputColumnName = "Tokens",
        HiddenSize = 16,
        EmbeddingSize = 8,
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
        Dropout = 0,
        NumberOfThreads = 1,
        Seed = 1,
        Softmax = softmax,
        AdaptiveSoftmaxCutoffs = cutoffs,
    };

    private static LanguageModelHeadSpec HeadOf(LstmFeaturizingTransformer featurizer) =>
        Assert.IsType<LanguageModelHeadSpec>(featurizer.Network.Spec.Head);

    [Fact]
    public void AdaptiveFeaturizerSavesLoadsGeneratesAndScoresTheSame()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Reviews(60, seed: 1));
        var estimator = Tokenize(ml).Append(ml.Transforms.FeaturizeByLstm(Small(LstmLanguageModelSoftmax.Adaptive)));
        var model = estimator.Fit(data);
        LstmFeaturizingTransformer featurizer = model.LastTransformer;
        LanguageModelHeadSpec head = HeadOf(featurizer);
        Assert.NotEmpty(head.Cutoffs);
        Assert.NotNull(head.TokenRanking);
        Assert.True(head.Bidirectional);

        var loaded = (TransformerChain<ITransformer>)SaveAndLoadInNewContext(ml, model, data.Schema);
        var reloaded = (LstmFeaturizingTransformer)loaded.LastTransformer;
        Assert.Equal(head.Cutoffs, HeadOf(reloaded).Cutoffs);
        Assert.Equal(head.TokenRanking, HeadOf(reloaded).TokenRanking);
        Assert.Equal(Vectors(model.Transform(data)), Vectors(loaded.Transform(data)));
        var options = new LstmGenerationOptions { MaxTokens = 10, Seed = 3, Temperature = 1.2 };
        string[] generated = featurizer.Generate(["the", "movie"], options);
        Assert.Equal(10, generated.Length);
        Assert.Equal(generated, reloaded.Generate(["the", "movie"], options));
        LanguageModelMetrics metrics = featurizer.EvaluateLanguageModel(model.Transform(data));
        Assert.Equal(metrics.CrossEntropy, reloaded.EvaluateLanguageModel(model.Transform(data)).CrossEntropy);
        Assert.True(double.IsFinite(metrics.Perplexity) && metrics.Perplexity > 1);

        // The same seed and threads give the same model.
        Assert.Equal(Vectors(model.Transform(data)), Vectors(estimator.Fit(data).Transform(data)));
    }

    [Fact]
    public void AutomaticTakesTheFullSoftmaxForSmallVocabulariesAndTheAdaptiveOneForLargeOnes()
    {
        var ml = new MLContext(seed: 1);
        IDataView small = Tokenize(ml).Fit(ml.Data.LoadFromEnumerable(Reviews(40, seed: 1))).Transform(ml.Data.LoadFromEnumerable(Reviews(40, seed: 1)));
        Assert.Empty(HeadOf(ml.Transforms.FeaturizeByLstm(Small(LstmLanguageModelSoftmax.Automatic, epochs: 1)).Fit(small)).Cutoffs);
        // Cutoffs given with Softmax left Automatic choose the adaptive softmax at any size.
        Assert.Equal([4, 9], HeadOf(ml.Transforms.FeaturizeByLstm(Small(LstmLanguageModelSoftmax.Automatic, [4, 9], epochs: 1)).Fit(small)).Cutoffs);

        // 2,400 distinct words, a few of them frequent: the automatic cutoffs from the counts.
        var random = new Random(2);
        SentenceRow[] rows = [.. Enumerable.Range(0, 1000).Select(_ => new SentenceRow
        {
            Text = string.Join(' ', Enumerable.Range(0, 12).Select(_ => random.Next(3) == 0 ? $"w{random.Next(2400)}" : $"f{random.Next(20)}")),
        })];
        rows[0].Text += " " + string.Join(' ', Enumerable.Range(0, 2400).Select(i => $"w{i}"));
        IDataView large = Tokenize(ml).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        LanguageModelHeadSpec head = HeadOf(ml.Transforms.FeaturizeByLstm(Small(LstmLanguageModelSoftmax.Automatic, epochs: 1)).Fit(large));
        Assert.True(head.OutputSize >= LstmFeaturizingEstimator.Options.AutomaticAdaptiveVocabulary);
        Assert.InRange(head.Cutoffs[0], 1, 20);  // the 20 frequent words hold more than half of the 14,400 tokens
        Assert.Empty(HeadOf(ml.Transforms.FeaturizeByLstm(Small(LstmLanguageModelSoftmax.Full, epochs: 1)).Fit(large)).Cutoffs);
    }

    [Fact]
    public void BadSoftmaxOptionsAreRefusedByName()
    {
        var ml = new MLContext(seed: 1);
        string Refused(LstmFeaturizingEstimator.Options options) =>
            Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(options)).Message;
        Assert.Contains("AdaptiveSoftmaxCutoffs", Refused(Small(LstmLanguageModelSoftmax.Adaptive, [5, 3])));
        Assert.Contains("AdaptiveSoftmaxCutoffs", Refused(Small(LstmLanguageModelSoftmax.Adaptive, [0, 3])));
        Assert.Contains("AdaptiveSoftmaxCutoffs", Refused(Small(LstmLanguageModelSoftmax.Adaptive, [])));
        Assert.Contains("AdaptiveSoftmaxCutoffs", Refused(Small(LstmLanguageModelSoftmax.Full, [5])));
        Assert.Contains("Softmax", Refused(Small((LstmLanguageModelSoftmax)7)));

        // Nothing the user passed is changed, and a later change to their array does not reach the estimator.
        int[] cutoffs = [3, 8];
        var estimator = ml.Transforms.FeaturizeByLstm(Small(LstmLanguageModelSoftmax.Adaptive, cutoffs, epochs: 1));
        cutoffs[1] = 1_000_000;
        IDataView data = Tokenize(ml).Fit(ml.Data.LoadFromEnumerable(Reviews(40, seed: 1))).Transform(ml.Data.LoadFromEnumerable(Reviews(40, seed: 1)));
        Assert.Equal([3, 8], HeadOf(estimator.Fit(data)).Cutoffs);

        // Cutoffs past the vocabulary: refused at Fit, before training, naming the option and the size.
        var tooLarge = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(Small(LstmLanguageModelSoftmax.Adaptive, [3, 100_000])).Fit(data));
        Assert.Contains("AdaptiveSoftmaxCutoffs", tooLarge.Message);
        Assert.Contains("vocabulary", tooLarge.Message);

        // A float column is learned by regression: an adaptive softmax is refused naming the option and the column.
        IDataView floats = ml.Data.LoadFromEnumerable(new[] { new BinarySequenceRow { Features = [1, 2, 3] } });
        LstmFeaturizingEstimator.Options steps = Small(LstmLanguageModelSoftmax.Adaptive);
        steps.InputColumnName = "Features";
        var regression = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(steps).Fit(floats));
        Assert.Contains("Softmax", regression.Message);
        Assert.Contains("'Features'", regression.Message);
    }

    private static float[][] Vectors(IDataView data) =>
        data.GetColumn<VBuffer<float>>("Vector").Select(v => v.DenseValues().ToArray()).ToArray();
}
