using Microsoft.ML.Data;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class LstmMulticlassTrainerTests
{
    private static (MLContext MLContext, IDataView Train, IDataView Test, IEstimator<ITransformer> Pipeline) Setup()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(TopicSentences(60, seed: 1));
        IDataView test = mlContext.Data.LoadFromEnumerable(TopicSentences(30, seed: 2));
        var pipeline = Tokenize(mlContext, labelToKey: "Label")
            .Append(mlContext.MulticlassClassification.Trainers.Lstm(Tiny<LstmMulticlassTrainer.Options>()));
        return (mlContext, train, test, pipeline);
    }

    [Fact]
    public void FitsInATextPipelineAndEvaluatesWithMLNetsEvaluator()
    {
        var (mlContext, train, test, pipeline) = Setup();

        var model = pipeline.Fit(train);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));

        Assert.True(metrics.MicroAccuracy >= 0.9, $"accuracy {metrics.MicroAccuracy}");
        Assert.Equal(3, metrics.PerClassLogLoss.Count);
    }

    [Fact]
    public void PredictedLabelKeepsTheLabelsKeyValues()
    {
        var (_, train, _, pipeline) = Setup();

        var scored = pipeline.Fit(train).Transform(train);

        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        scored.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
        Assert.Equal(Topics, keyValues.DenseValues().Select(value => value.ToString()));
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        scored.Schema["Score"].GetSlotNames(ref slotNames);
        Assert.Equal(Topics, slotNames.DenseValues().Select(value => value.ToString()));
    }

    [Fact]
    public void SavedPipelineLoadsInANewContextAndScoresBitIdentically()
    {
        var (mlContext, train, test, pipeline) = Setup();
        var model = pipeline.Fit(train);

        var loaded = SaveAndLoadInNewContext(mlContext, model, train.Schema);

        var original = model.Transform(test);
        var reloaded = loaded.Transform(test);
        Assert.Equal(FloatBits(original, "Score"), FloatBits(reloaded, "Score"));
        Assert.Equal(Values<uint>(original, "PredictedLabel"), Values<uint>(reloaded, "PredictedLabel"));
    }

    [Fact]
    public void GetOutputSchemaAgreesWithTransform()
    {
        var (_, train, _, pipeline) = Setup();

        SchemaShape promised = pipeline.GetOutputSchema(ShapeOf(train.Schema));
        var produced = pipeline.Fit(train).Transform(train).Schema;

        AssertSchemaAgrees(promised, produced, "Score", "PredictedLabel");
    }

    [Fact]
    public void PredictionEngineScoresOneSentence()
    {
        var (mlContext, train, _, pipeline) = Setup();
        var model = pipeline.Fit(train);

        var engine = mlContext.Model.CreatePredictionEngine<TopicRow, MulticlassPrediction>(model);
        MulticlassPrediction prediction = engine.Predict(new TopicRow { Text = "the soup was really very" });

        Assert.Equal(3, prediction.Score.Length);
        Assert.Equal(1f, prediction.Score.Sum(), 5);
        Assert.Equal(2u, prediction.PredictedLabel); // key 2: "food"
    }

    [Fact]
    public void ClassWeightsOfTheWrongCountAreRejectedNamingTheOption()
    {
        var mlContext = new MLContext(seed: 1);
        var options = Tiny<LstmMulticlassTrainer.Options>(epochs: 1);
        options.ClassWeights = [1f, 2f];
        var pipeline = Tokenize(mlContext, labelToKey: "Label").Append(mlContext.MulticlassClassification.Trainers.Lstm(options));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Fit(mlContext.Data.LoadFromEnumerable(TopicSentences(9, seed: 1))));

        Assert.Contains("ClassWeights", error.Message);
        Assert.Contains("3 classes", error.Message);
    }
}
