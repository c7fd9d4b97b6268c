using Microsoft.ML.Data;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class SequenceTransformerSaveLoadTests
{
    [Fact]
    public void LoadedBinaryModelScoresBitIdentically()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(BinaryRows());
        var original = BinaryTransformer(mlContext).Transform(data);

        var loaded = SaveAndLoadInNewContext(mlContext, BinaryTransformer(mlContext), data, out var loadedContext)
            .Transform(loadedContext.Data.LoadFromEnumerable(BinaryRows()));

        Assert.Equal(FloatBits(original, "Score"), FloatBits(loaded, "Score"));
        Assert.Equal(FloatBits(original, "Probability"), FloatBits(loaded, "Probability"));
        Assert.Equal(Values<bool>(original, "PredictedLabel"), Values<bool>(loaded, "PredictedLabel"));
        float[] logits = [.. Predict(BinaryNetwork(), BinaryRows().Select(row => row.Features)).Select(logit => logit[0])];
        Assert.Equal(Bits(logits), FloatBits(loaded, "Score"));
        Assert.Equal(logits.Select(logit => logit > 0), Values<bool>(loaded, "PredictedLabel"));
    }

    [Fact]
    public void LoadedMulticlassModelScoresBitIdenticallyAndKeepsClassNames()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Fit(mlContext.Data.LoadFromEnumerable(MulticlassRows()))
            .Transform(mlContext.Data.LoadFromEnumerable(MulticlassRows()));
        var transformer = MulticlassTransformer(mlContext, ["low", "middle", "high"]);
        var original = transformer.Transform(data);

        var loaded = SaveAndLoadInNewContext(mlContext, transformer, data, out _).Transform(data);

        Assert.Equal(FloatBits(original, "Score"), FloatBits(loaded, "Score"));
        Assert.Equal(Values<uint>(original, "PredictedLabel"), Values<uint>(loaded, "PredictedLabel"));
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        loaded.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
        Assert.Equal(["low", "middle", "high"], keyValues.DenseValues().Select(name => name.ToString()));
        Assert.Equal(3, ((VectorDataViewType)loaded.Schema["Score"].Type).Size);
    }

    [Fact]
    public void LoadedRegressionModelScoresBitIdentically()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(RegressionRows());
        var original = RegressionTransformer(mlContext).Transform(data);

        var loaded = SaveAndLoadInNewContext(mlContext, RegressionTransformer(mlContext), data, out _).Transform(data);

        Assert.Equal(FloatBits(original, "Score"), FloatBits(loaded, "Score"));
        Assert.Equal(Bits(Predict(RegressionNetwork(), RegressionRows().Select(row => row.Features)).Select(value => value[0])), FloatBits(loaded, "Score"));
    }

    [Fact]
    public void LoadedModelInsideAPipelineRoundTrips()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(BinaryRows());
        var pipeline = mlContext.Transforms.CopyColumns("Sequence", "Features")
            .Fit(data)
            .Append(new SequenceBinaryClassificationTransformer(mlContext, BinaryNetwork(), FloatFeatures("Sequence")));
        var original = pipeline.Transform(data);

        var loaded = SaveAndLoadInNewContext(mlContext, pipeline, data, out _).Transform(data);

        Assert.Equal(FloatBits(original, "Score"), FloatBits(loaded, "Score"));
    }

    [Fact]
    public void OutputSchemaAgreesWithTransform()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(BinaryRows());
        var transformer = BinaryTransformer(mlContext);

        var predicted = transformer.GetOutputSchema(data.Schema);
        var actual = transformer.Transform(data).Schema;

        Assert.Equal(actual.Select(c => (c.Name, c.Type.ToString())), predicted.Select(c => (c.Name, c.Type.ToString())));
        Assert.Equal(NumberDataViewType.Single, actual["Score"].Type);
        Assert.Equal(NumberDataViewType.Single, actual["Probability"].Type);
        Assert.Equal(BooleanDataViewType.Instance, actual["PredictedLabel"].Type);
        Assert.True(((ITransformer)transformer).IsRowToRowMapper);
    }

    [Fact]
    public void PredictionEngineMatchesTransform()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(BinaryRows());
        var loaded = SaveAndLoadInNewContext(mlContext, BinaryTransformer(mlContext), data, out var loadedContext);
        var expectedScores = Values<float>(BinaryTransformer(mlContext).Transform(data), "Score");

        var engine = loadedContext.Model.CreatePredictionEngine<BinarySequenceRow, BinaryPrediction>(loaded);
        var rows = BinaryRows();
        for (int i = 0; i < rows.Length; i++)
        {
            var prediction = engine.Predict(rows[i]);
            Assert.Equal(BitConverter.SingleToInt32Bits(expectedScores[i]), BitConverter.SingleToInt32Bits(prediction.Score));
            Assert.Equal(1f / (1f + MathF.Exp(-prediction.Score)), prediction.Probability);
            Assert.Equal(prediction.Score > 0, prediction.PredictedLabel);
        }
    }

    internal static ITransformer SaveAndLoadInNewContext(MLContext mlContext, ITransformer model, IDataView data, out MLContext loadedContext)
    {
        string path = TemporaryModelPath();
        try
        {
            mlContext.Model.Save(model, data.Schema, path);
            loadedContext = new MLContext(seed: 2);
            return loadedContext.Model.Load(path, out _);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
