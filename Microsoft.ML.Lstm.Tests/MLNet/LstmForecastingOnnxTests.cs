namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// ONNX export of a pipeline holding the forecaster: refused, naming it and saying why. (Before, ML.NET's converter took
/// the forecaster's output for the graph's input and exported, without a word, a graph passing the forecasts through.)
/// </summary>
public class LstmForecastingOnnxTests
{
    [Fact]
    public void ConvertToOnnxIsRefusedNamingTheForecaster()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(ForecastTestData.Rows("a", ForecastTestData.Seasonal(60, 50, 1, seed: 1)));
        var options = new LstmForecastingEstimator.Options { Horizon = 3, WindowSize = 12, HiddenSize = 4, Epochs = 1, NumberOfThreads = 1 };
        ITransformer model = ml.Transforms.CopyColumns("Level", "Value").Append(ml.Forecasting.ForecastByLstm(options)).Fit(data);

        var error = Record.Exception(() => ml.Model.ConvertToOnnx(model, data, new MemoryStream()));
        Assert.NotNull(error);
        Assert.IsType<NotSupportedException>(error);
        Assert.Contains(nameof(LstmForecastingTransformer), error.Message);
        Assert.Contains("rows before it", error.Message);
        Assert.Contains("CreateForecastingEngine", error.Message);
    }
}
