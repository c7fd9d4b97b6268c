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

        var rows = BinaryRows();
        float[][] logits = Predict(BinaryNetwork(), rows.Select(row => row.Features));
        double accuracy = rows.Zip(logits).Count(pair => pair.First.Label == pair.Second[0] > 0) / (double)rows.Length;
        Assert.Equal(accuracy, metrics.Accuracy, 10);
        Assert.True(double.IsFinite(metrics.AreaUnderRocCurve) && double.IsFinite(metrics.LogLoss));
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

        // MapValueToKey numbers the classes as it meets them: low, middle, high.
        string[] classes = ["low", "middle", "high"];
        var rows = MulticlassRows();
        float[][] logits = Predict(MulticlassNetwork(), rows.Select(row => row.Features));
        int right = rows.Zip(logits).Count(pair => classes[Array.IndexOf(pair.Second, pair.Second.Max())] == pair.First.Label);
        Assert.Equal(right / (double)rows.Length, metrics.MicroAccuracy, 10);
        Assert.Equal(3, metrics.PerClassLogLoss.Count);
        Assert.True(double.IsFinite(metrics.LogLoss));
    }

    [Fact]
    public void RegressionEvaluateReadsTheColumns()
    {
        var mlContext = new MLContext(seed: 1);
        var scored = RegressionTransformer(mlContext).Transform(mlContext.Data.LoadFromEnumerable(RegressionRows()));

        var metrics = mlContext.Regression.Evaluate(scored);

        var rows = RegressionRows();
        float[][] predictions = Predict(RegressionNetwork(), rows.Select(row => row.Features));
        double meanAbsoluteError = rows.Zip(predictions).Average(pair => Math.Abs((double)pair.First.Label - pair.Second[0]));
        Assert.Equal(meanAbsoluteError, metrics.MeanAbsoluteError, 5);
    }
}
