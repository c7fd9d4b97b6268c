using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Tests.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.OnnxTestScoring;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTransformerOnnxExportTests;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// ONNX export of featurizers: <c>FeaturizeByLstm</c>'s (a language model whose encoder is pooled) and every
/// <c>AsFeaturizer</c> (a classifier's, a regressor's or a tagger's encoder), over token keys, float steps and text.
/// The exported vector, scored by ONNX Runtime through <c>ApplyOnnxModel</c>, a raw padded batch and a one-row call,
/// matches the package's within 1e-5 in every slot: each pooling in the featurizer's order, both directions as it lays
/// them out. Weights are drawn at random, so a slot out of place shows.
/// </summary>
public class LstmFeaturizingTransformerOnnxExportTests
{
    public static TheoryData<string, bool, int, int> LanguageModels => new()
    {
        // cell, bidirectional, layers, pooling (LstmFeaturePooling flags)
        { "Lstm", true, 1, (int)LstmFeaturePooling.All },
        { "Lstm", false, 2, (int)LstmFeaturePooling.LastState },
        { "Gru", true, 1, (int)(LstmFeaturePooling.LastState | LstmFeaturePooling.Max) },
        { "PeepholeLstm", false, 1, (int)(LstmFeaturePooling.Mean | LstmFeaturePooling.Max) },
        { "PeepholeLstm", true, 1, (int)LstmFeaturePooling.Mean },
    };

    [Theory]
    [MemberData(nameof(LanguageModels))]
    public void LanguageModelFeaturizerOverTokenKeysMatchesThePackage(string cell, bool bidirectional, int layers, int pooling)
    {
        var mlContext = new MLContext(seed: 1);
        EncoderSpec encoder = NetworkSpecs.Tokens(KeyCount + 1, embedding: 3, hidden: 4, Enum.Parse<CellType>(cell), layers, bidirectional);
        var spec = new NetworkSpec(encoder, new LanguageModelHeadSpec { OutputSize = KeyCount + 1, Bidirectional = bidirectional });
        var featurizer = new LstmFeaturizingTransformer(mlContext, RandomModel(spec, seed: 13), TokenFeatures(), "Vector",
            LstmFeaturizingTransformer.ModesOf((LstmFeaturePooling)pooling), tokenTexts: null);

        AssertExportMatches(mlContext, featurizer, TokenRows(), SequenceOnnxInput.TokenPadKey, "Vector");
    }

    [Fact]
    public void FittedFeaturizeByLstmMatchesThePackage()
    {
        var mlContext = new MLContext(seed: 1);
        var random = new Random(5);
        uint[][] training = [.. Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, 2 + i % 9).Select(_ => (uint)(1 + random.Next(KeyCount))).ToArray())];
        var options = new LstmFeaturizingEstimator.Options
        {
            OutputColumnName = "Vector", InputColumnName = "Tokens", HiddenSize = 5, EmbeddingSize = 4, Epochs = 2, BatchSize = 8, Dropout = 0, NumberOfThreads = 1, Seed = 1,
        };
        LstmFeaturizingTransformer featurizer = mlContext.Transforms.FeaturizeByLstm(options).Fit(TokenData(mlContext, training));
        Assert.Equal(6 * 5, featurizer.OutputSize);

        AssertExportMatches(mlContext, featurizer, TokenRows(), SequenceOnnxInput.TokenPadKey, "Vector");
    }

    [Theory]
    [InlineData("Lstm", "Concat", 1, "LastState")]
    [InlineData("Gru", "Sum", 2, "LastState")]
    [InlineData("PeepholeLstm", "Concat", 2, "Attention")]
    [InlineData("Lstm", "Mean", 1, "Max")]
    public void BinaryClassifiersFeaturizerOverTokenKeysMatchesThePackage(string cell, string directions, int layers, string pooling)
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.Pooled(TokenEncoder(cell, directions, layers), Enum.Parse<PoolingMode>(pooling), 1, LossKind.SigmoidBinaryCrossEntropy);
        var classifier = new SequenceBinaryClassificationTransformer(mlContext, RandomModel(spec, seed: 14), TokenFeatures());

        AssertExportMatches(mlContext, classifier.AsFeaturizer("Vector"), TokenRows(), SequenceOnnxInput.TokenPadKey, "Vector");
    }

    [Fact]
    public void MulticlassClassifiersFeaturizerOverFloatStepsMatchesThePackageWithStandardizationAndTruncation()
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.Pooled(NetworkSpecs.Features(2, hidden: 5, CellType.Lstm, bidirectional: true), PoolingMode.Mean, 3, LossKind.SoftmaxCrossEntropy);
        var features = new SequenceFeatures("Features", SequenceInput.FloatSteps(2), MaxSequenceLength: 5)
        {
            InputScaling = new Standardization([0.5f, -0.25f], [2f, 0.75f]),
        };
        var classifier = new SequenceMulticlassClassificationTransformer(mlContext, RandomModel(spec, seed: 15), features, ["a", "b", "c"]);

        AssertExportMatches(mlContext, classifier.AsFeaturizer("Vector"), FloatRows(), float.NaN, "Vector");
    }

    [Fact]
    public void RegressorsFeaturizerOverFloatStepsMatchesThePackage()
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.Pooled(NetworkSpecs.Features(2, hidden: 4, CellType.Gru, layers: 2), PoolingMode.LastState, 2, LossKind.MeanSquaredError);
        var regressor = new SequenceRegressionTransformer(mlContext, RandomModel(spec, seed: 16), FloatFeatures(), vectorScore: true,
            targetScaling: new Standardization([1f, -2f], [0.5f, 3f]));

        AssertExportMatches(mlContext, regressor.AsFeaturizer("Vector"), FloatRows(), float.NaN, "Vector");
    }

    [Fact]
    public void BinaryClassifiersFeaturizerOverTextMatchesThePackage()
    {
        var mlContext = new MLContext(seed: 1);
        TextVocabulary vocabulary = SequenceTransformerOnnxTextExportTests.Vocabulary(lowercase: true, keepPunctuation: true);
        NetworkSpec spec = NetworkSpecs.Pooled(SequenceTransformerOnnxTextExportTests.TextEncoder(vocabulary, CellType.Lstm), PoolingMode.Max, 1, LossKind.SigmoidBinaryCrossEntropy);
        var classifier = new SequenceBinaryClassificationTransformer(mlContext, RandomModel(spec, seed: 17), SequenceTransformerOnnxTextExportTests.TextFeatures(vocabulary));

        SequenceTransformerOnnxTextExportTests.AssertExportMatches(mlContext, classifier.AsFeaturizer("Vector"), SequenceTransformerOnnxTextExportTests.Texts, "Vector");
    }

    [Theory]
    [InlineData("Lstm", "Concat", (int)LstmFeaturePooling.All)]
    [InlineData("Gru", "forward", (int)LstmFeaturePooling.Mean)]
    [InlineData("PeepholeLstm", "Sum", (int)(LstmFeaturePooling.LastState | LstmFeaturePooling.Max))]
    public void SoftmaxTaggersFeaturizerMatchesThePackage(string cell, string directions, int pooling)
    {
        var mlContext = new MLContext(seed: 1);
        NetworkSpec spec = NetworkSpecs.StepSoftmax(TokenEncoder(cell, directions, layers: 1), classes: 3);
        var tagger = new SequenceTaggingTransformer(mlContext, RandomModel(spec, seed: 18), TokenFeatures(), ["O", "B-X", "I-X"]);

        AssertExportMatches(mlContext, tagger.AsFeaturizer("Vector", (LstmFeaturePooling)pooling), TokenRows(), SequenceOnnxInput.TokenPadKey, "Vector");
    }

    [Fact]
    public void ATaggersFeaturizerWithTheCharacterEncoderIsRefusedNamingIt()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView data = TaggingTestData.MapKeys(mlContext, mlContext.Data.LoadFromEnumerable(TaggingTestData.Sentences(12, seed: 1, testNames: false)))
            .Transform(mlContext.Data.LoadFromEnumerable(TaggingTestData.Sentences(12, seed: 1, testNames: false)));
        var tagger = (SequenceTaggingTransformer)mlContext.MulticlassClassification.Trainers.LstmTagger(TaggingTestData.Tiny(epochs: 1, useCrf: false)).Fit(data);
        LstmFeaturizingTransformer featurizer = tagger.AsFeaturizer("Vector");

        var error = Assert.Throws<NotSupportedException>(() => Export(mlContext, featurizer, data));
        Assert.Contains("character encoder", error.Message);
        Assert.Contains("CharacterColumnName", error.Message);
    }
}
