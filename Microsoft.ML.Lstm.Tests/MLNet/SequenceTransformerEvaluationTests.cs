using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class SequenceTransformerEvaluationTests
{
    [Fact]
    public void BinaryClassificationEvaluateReadsTheColumns()
    {
        var mlContext = new MLContext(seed: 1);
        var scored = BinaryTransformer(mlContext).Transform(mlContext.Data.LoadFromEnumerable(BinaryRows()));

        var metrics = mlContext.BinaryClassification.Evaluate(scored);

        // Predictions: T F T F F F against labels T F T F T F — one positive missed.
        Assert.Equal(5.0 / 6.0, metrics.Accuracy, 10);
        Assert.Equal(1.0, metrics.AreaUnderRocCurve, 10);
        Assert.True(double.IsFinite(metrics.LogLoss));
    }

    [Fact]
    public void MulticlassClassificationEvaluateReadsTheColumns()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Fit(mlContext.Data.LoadFromEnumerable(MulticlassRows()))
            .Transform(mlContext.Data.LoadFromEnumerable(MulticlassRows()));
        var scored = MulticlassTransformer(mlContext, ["low", "middle", "high"]).Transform(data);

        var metrics = mlContext.MulticlassClassification.Evaluate(scored);

        Assert.Equal(1.0, metrics.MicroAccuracy, 10);
        Assert.Equal(3, metrics.PerClassLogLoss.Count);
        Assert.True(double.IsFinite(metrics.LogLoss));
    }

    [Fact]
    public void RegressionEvaluateReadsTheColumns()
    {
        var mlContext = new MLContext(seed: 1);
        var scored = RegressionTransformer(mlContext).Transform(mlContext.Data.LoadFromEnumerable(RegressionRows()));

        var metrics = mlContext.Regression.Evaluate(scored);

        // Predictions 3.25, 3.25, 8.25 against 3, 2.5, 9.
        Assert.Equal((0.25 + 0.75 + 0.75) / 3, metrics.MeanAbsoluteError, 5);
    }
}
