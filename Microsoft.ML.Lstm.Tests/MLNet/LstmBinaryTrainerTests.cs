using Microsoft.ML.Data;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class LstmBinaryTrainerTests
{
    private static (MLContext MLContext, IDataView Train, IDataView Test, IEstimator<ITransformer> Pipeline) Setup()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(Reviews(64, seed: 1));
        IDataView test = mlContext.Data.LoadFromEnumerable(Reviews(32, seed: 2));
        var pipeline = Tokenize(mlContext).Append(mlContext.BinaryClassification.Trainers.Lstm(Tiny<LstmBinaryTrainer.Options>()));
        return (mlContext, train, test, pipeline);
    }

    [Fact]
    public void FitsInATextPipelineAndEvaluatesWithMLNetsEvaluator()
    {
        var (mlContext, train, test, pipeline) = Setup();

        var model = pipeline.Fit(train);
        var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(test));

        Assert.True(metrics.Accuracy >= 0.9, $"accuracy {metrics.Accuracy}");
        Assert.True(metrics.AreaUnderRocCurve >= 0.9, $"AUC {metrics.AreaUnderRocCurve}");
    }

    [Fact]
    public void ShortOverloadTrainsWithTheGivenColumns()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Reviews(16, seed: 1));

        var model = Tokenize(mlContext)
            .Append(mlContext.BinaryClassification.Trainers.Lstm(labelColumnName: "Label", featureColumnName: "Tokens", hiddenSize: 4, epochs: 1))
            .Fit(data);

        Assert.Equal(16, Values<bool>(model.Transform(data), "PredictedLabel").Count);
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
        Assert.Equal(FloatBits(original, "Probability"), FloatBits(reloaded, "Probability"));
        Assert.Equal(Values<bool>(original, "PredictedLabel"), Values<bool>(reloaded, "PredictedLabel"));
    }

    [Fact]
    public void GetOutputSchemaAgreesWithTransform()
    {
        var (_, train, _, pipeline) = Setup();

        SchemaShape promised = pipeline.GetOutputSchema(ShapeOf(train.Schema));
        var produced = pipeline.Fit(train).Transform(train).Schema;

        AssertSchemaAgrees(promised, produced, "Score", "Probability", "PredictedLabel");
    }

    [Fact]
    public void PredictionEngineScoresOneSentenceLikeTransform()
    {
        var (mlContext, train, _, pipeline) = Setup();
        var model = pipeline.Fit(train);
        var sentence = new SentenceRow { Text = "the plot was really great" };

        var engine = mlContext.Model.CreatePredictionEngine<SentenceRow, BinaryPrediction>(model);
        BinaryPrediction first = engine.Predict(sentence);
        BinaryPrediction second = engine.Predict(sentence);
        float batchScore = model.Transform(mlContext.Data.LoadFromEnumerable([sentence])).GetColumn<float>("Score").Single();

        Assert.True(first.PredictedLabel);
        Assert.Equal(batchScore, first.Score);
        Assert.Equal(first.Score, second.Score);
        Assert.Equal(1f / (1f + MathF.Exp(-first.Score)), first.Probability, 6);
    }

    [Fact]
    public void UnknownWordsScoreThroughTheUnknownToken()
    {
        var (mlContext, train, _, pipeline) = Setup();
        var model = pipeline.Fit(train);

        var scores = model.Transform(mlContext.Data.LoadFromEnumerable([new SentenceRow { Text = "zebra quantum" }]))
            .GetColumn<float>("Score").ToList();

        Assert.True(float.IsFinite(scores.Single()));
    }
}
