using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class LstmRegressionTrainerTests
{
    private static LstmRegressionTrainer.Options SeriesOptions()
    {
        var options = Tiny<LstmRegressionTrainer.Options>(featureColumnName: "Features", epochs: 30);
        options.FeaturesPerStep = 2;
        options.Pooling = SequencePoolingMode.Mean;
        return options;
    }

    private static (MLContext MLContext, IDataView Train, IDataView Test, LstmRegressionTrainer Trainer) Setup()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(Series(96, seed: 1));
        IDataView test = mlContext.Data.LoadFromEnumerable(Series(32, seed: 2));
        return (mlContext, train, test, mlContext.Regression.Trainers.Lstm(SeriesOptions()));
    }

    [Fact]
    public void FitsOnFloatStepsAndEvaluatesWithMLNetsEvaluator()
    {
        var (mlContext, train, test, trainer) = Setup();

        var model = trainer.Fit(train);
        var metrics = mlContext.Regression.Evaluate(model.Transform(test));

        // The label is a mean of uniform values (standard deviation about 0.15 here); predicting the mean would give MAE ≈ 0.12.
        Assert.True(metrics.MeanAbsoluteError < 0.08, $"MAE {metrics.MeanAbsoluteError}");
    }

    [Fact]
    public void HuberLossTrains()
    {
        var mlContext = new MLContext(seed: 1);
        var options = SeriesOptions();
        options.LossFunction = RegressionLossFunction.Huber;
        options.HuberDelta = 0.5;
        var data = mlContext.Data.LoadFromEnumerable(Series(32, seed: 1));

        var scores = Values<float>(mlContext.Regression.Trainers.Lstm(options).Fit(data).Transform(data), "Score");

        Assert.All(scores, score => Assert.True(float.IsFinite(score)));
    }

    [Fact]
    public void TransformerAloneLoadsInANewContextAndScoresBitIdentically()
    {
        var (mlContext, train, test, trainer) = Setup();
        var model = trainer.Fit(train);

        var loaded = SaveAndLoadInNewContext(mlContext, model, train.Schema);

        Assert.IsType<SequenceRegressionTransformer>(loaded);
        Assert.Equal(FloatBits(model.Transform(test), "Score"), FloatBits(loaded.Transform(test), "Score"));
    }

    [Fact]
    public void GetOutputSchemaAgreesWithTransform()
    {
        var (_, train, _, trainer) = Setup();

        SchemaShape promised = trainer.GetOutputSchema(ShapeOf(train.Schema));
        var produced = trainer.Fit(train).Transform(train).Schema;

        AssertSchemaAgrees(promised, produced, "Score");
    }

    [Fact]
    public void PredictionEngineScoresOneSeriesLikeTransform()
    {
        var (mlContext, train, _, trainer) = Setup();
        var model = trainer.Fit(train);
        var series = new SeriesRow { Features = [0.9f, 0.1f, 0.8f, 0.5f, 0.7f, 0.3f] };

        var engine = mlContext.Model.CreatePredictionEngine<SeriesRow, RegressionPrediction>(model);
        float single = engine.Predict(series).Score;
        float batch = Values<float>(model.Transform(mlContext.Data.LoadFromEnumerable([series])), "Score").Single();

        Assert.Equal(batch, single);
        Assert.InRange(single, 0.55f, 1.05f);
    }

    [Fact]
    public void FixedLengthFloatVectorIsReadAsSteps()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 16).Select(i => new FixedSeriesRow { Features = [i / 16f, 0f, 1f - i / 16f, 0f], Label = i / 16f }).ToArray();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var options = SeriesOptions();
        options.Epochs = 2;

        var scored = mlContext.Regression.Trainers.Lstm(options).Fit(data).Transform(data);

        Assert.Equal(16, Values<float>(scored, "Score").Count);
    }

    [Fact]
    public void MaxSequenceLengthKeepsTheFirstSteps()
    {
        var mlContext = new MLContext(seed: 1);
        var options = SeriesOptions();
        options.MaxSequenceLength = 2;
        options.Epochs = 2;
        var model = mlContext.Regression.Trainers.Lstm(options).Fit(mlContext.Data.LoadFromEnumerable(Series(16, seed: 1)));

        var scores = Values<float>(model.Transform(mlContext.Data.LoadFromEnumerable(new[]
        {
            new SeriesRow { Features = [0.1f, 0.2f, 0.3f, 0.4f] },
            new SeriesRow { Features = [0.1f, 0.2f, 0.3f, 0.4f, 9f, 9f, -9f, 9f] },
        })), "Score");

        Assert.Equal(BitConverter.SingleToInt32Bits(scores[0]), BitConverter.SingleToInt32Bits(scores[1]));
    }
}

/// <summary>Two steps of two channels in a fixed-size vector.</summary>
public sealed class FixedSeriesRow
{
    [Microsoft.ML.Data.VectorType(4)]
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}
