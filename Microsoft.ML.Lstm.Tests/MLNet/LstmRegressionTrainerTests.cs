using Microsoft.ML.Data;
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

    [Fact]
    public void VectorLabelTrainsOneOutputPerTargetAndScoresAVector()
    {
        var mlContext = new MLContext(seed: 1);
        var train = mlContext.Data.LoadFromEnumerable(TwoTargetSeriesRow.From(Series(96, seed: 1)));
        TwoTargetSeriesRow[] testRows = TwoTargetSeriesRow.From(Series(32, seed: 2));

        var model = mlContext.Regression.Trainers.Lstm(SeriesOptions()).Fit(train);
        var scores = mlContext.Data.CreateEnumerable<TwoTargetPrediction>(model.Transform(mlContext.Data.LoadFromEnumerable(testRows)), reuseRowObject: false).ToList();

        Assert.Equal(2, model.TargetCount);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2), model.Transform(train).Schema["Score"].Type);
        for (int target = 0; target < 2; target++)
        {
            // Each target is a mean of uniform values (standard deviation about 0.15 here); predicting the mean would give MAE ≈ 0.12.
            double meanAbsoluteError = testRows.Zip(scores).Average(pair => Math.Abs(pair.First.Label[target] - pair.Second.Score[target]));
            Assert.True(meanAbsoluteError < 0.08, $"target {target}: MAE {meanAbsoluteError}");
        }
    }

    [Fact]
    public void VectorLabelModelLoadsInANewContextAndScoresBitIdentically()
    {
        var mlContext = new MLContext(seed: 1);
        var options = SeriesOptions();
        options.Epochs = 2;
        var train = mlContext.Data.LoadFromEnumerable(TwoTargetSeriesRow.From(Series(16, seed: 1)));
        var test = mlContext.Data.LoadFromEnumerable(TwoTargetSeriesRow.From(Series(8, seed: 2)));
        var model = mlContext.Regression.Trainers.Lstm(options).Fit(train);

        var loaded = SaveAndLoadInNewContext(mlContext, model, train.Schema);

        Assert.Equal(FloatBits(model.Transform(test), "Score"), FloatBits(loaded.Transform(test), "Score"));
        Assert.Equal(16, FloatBits(loaded.Transform(test), "Score").Count);
    }

    [Fact]
    public void VectorLabelGetOutputSchemaAgreesWithTransform()
    {
        var mlContext = new MLContext(seed: 1);
        var options = SeriesOptions();
        options.Epochs = 1;
        var train = mlContext.Data.LoadFromEnumerable(TwoTargetSeriesRow.From(Series(8, seed: 1)));
        var trainer = mlContext.Regression.Trainers.Lstm(options);

        SchemaShape promised = trainer.GetOutputSchema(ShapeOf(train.Schema));
        var produced = trainer.Fit(train).Transform(train).Schema;

        AssertSchemaAgrees(promised, produced, "Score");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, promised.Single(column => column.Name == "Score").Kind);
    }

    [Fact]
    public void VariableLengthVectorLabelIsRejected()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new VariableTargetSeriesRow { Features = [1f, 2f], Label = [1f] } });
        var trainer = mlContext.Regression.Trainers.Lstm(SeriesOptions());

        var fitError = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        var planError = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(ShapeOf(data.Schema)));

        Assert.Contains("label column 'Label' is Vector<Single>", fitError.Message);
        Assert.Contains("a known-size vector of Single", fitError.Message);
        Assert.Contains("found variable-length vector of Single", planError.Message);
    }
}

/// <summary>A series of 2-channel steps with two targets: the mean of each channel.</summary>
public sealed class TwoTargetSeriesRow
{
    [Microsoft.ML.Data.VectorType]
    public float[] Features { get; set; } = [];

    [Microsoft.ML.Data.VectorType(2)]
    public float[] Label { get; set; } = [];

    public static TwoTargetSeriesRow[] From(SeriesRow[] rows) => rows.Select(row =>
    {
        int steps = row.Features.Length / 2;
        float first = 0, second = 0;
        for (int t = 0; t < steps; t++)
        {
            first += row.Features[2 * t];
            second += row.Features[2 * t + 1];
        }
        return new TwoTargetSeriesRow { Features = row.Features, Label = [first / steps, second / steps] };
    }).ToArray();
}

/// <summary>The regression column of a model trained on two targets, as PredictionEngine returns it.</summary>
public sealed class TwoTargetPrediction
{
    public float[] Score { get; set; } = [];
}

/// <summary>A series whose label is a variable-length float vector, which no network output can match.</summary>
public sealed class VariableTargetSeriesRow
{
    [Microsoft.ML.Data.VectorType]
    public float[] Features { get; set; } = [];

    [Microsoft.ML.Data.VectorType]
    public float[] Label { get; set; } = [];
}

/// <summary>Two steps of two channels in a fixed-size vector.</summary>
public sealed class FixedSeriesRow
{
    [Microsoft.ML.Data.VectorType(4)]
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}
