using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Regression targets and float input steps are standardized with the training data's statistics, which are saved
/// with the model: unscaled data trains, and a model file without them still loads.
/// </summary>
public class LstmStandardizationTests
{
    /// <summary>Series of 2 to 6 steps of one value in [0, 100]; the label is 400 + the mean of the steps (about 400–500).</summary>
    private static SeriesRow[] UnscaledSeries(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new SeriesRow[count];
        for (int i = 0; i < count; i++)
        {
            var features = new float[2 + random.Next(5)];
            for (int t = 0; t < features.Length; t++)
                features[t] = (float)(100 * random.NextDouble());
            rows[i] = new SeriesRow { Features = features, Label = 400 + features.Average() };
        }
        return rows;
    }

    private static LstmRegressionTrainer.Options UnscaledOptions(bool standardize)
    {
        var options = Tiny<LstmRegressionTrainer.Options>(featureColumnName: "Features", epochs: 30);
        options.Pooling = SequencePoolingMode.Mean;
        options.StandardizeInputs = standardize;
        options.StandardizeTargets = standardize;
        return options;
    }

    private static double Rmse(MLContext mlContext, ITransformer model, IDataView data) =>
        mlContext.Regression.Evaluate(model.Transform(data)).RootMeanSquaredError;

    [Fact]
    public void RegressionLearnsUnscaledTargetsFromUnscaledSteps()
    {
        var mlContext = new MLContext(seed: 1);
        SeriesRow[] trainRows = UnscaledSeries(128, seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(trainRows);
        IDataView test = mlContext.Data.LoadFromEnumerable(UnscaledSeries(64, seed: 2));
        double mean = trainRows.Average(row => row.Label);
        double spread = Math.Sqrt(trainRows.Average(row => (row.Label - mean) * (row.Label - mean)));

        double standardized = Rmse(mlContext, mlContext.Regression.Trainers.Lstm(UnscaledOptions(standardize: true)).Fit(train), test);
        double unscaled = Rmse(mlContext, mlContext.Regression.Trainers.Lstm(UnscaledOptions(standardize: false)).Fit(train), test);

        // Predicting the mean would give an RMSE of about the spread (≈ 15); without scaling the network stays near 0, ≈ 450 off.
        Assert.True(standardized < 0.5 * spread, $"RMSE {standardized}, spread of the targets {spread}");
        Assert.True(unscaled > 10 * standardized, $"RMSE {unscaled} without scaling, {standardized} with it");
    }

    [Fact]
    public void TrainingLogsTheStatistics()
    {
        var messages = new List<string>();
        var mlContext = new MLContext(seed: 1);
        mlContext.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var options = UnscaledOptions(standardize: true);
        options.Epochs = 1;

        mlContext.Regression.Trainers.Lstm(options).Fit(mlContext.Data.LoadFromEnumerable(UnscaledSeries(16, seed: 1)));

        Assert.Contains(messages, message => message.Contains("Targets standardized: mean 4"));
        Assert.Contains(messages, message => message.Contains("Input steps standardized: mean "));
    }

    [Fact]
    public void StandardizedModelLoadsInANewContextAndScoresBitIdentically()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(UnscaledSeries(32, seed: 1));
        var options = UnscaledOptions(standardize: true);
        options.Epochs = 3;
        var model = mlContext.Regression.Trainers.Lstm(options).Fit(train);

        var loaded = Assert.IsType<SequenceRegressionTransformer>(SaveAndLoadInNewContext(mlContext, model, train.Schema));

        Assert.Equal(FloatBits(model.Transform(train), "Score"), FloatBits(loaded.Transform(train), "Score"));
        Standardization saved = model.Features.InputScaling!;
        Standardization read = loaded.Features.InputScaling!;
        Assert.Equal(Bits(saved.Means), Bits(read.Means));
        Assert.Equal(Bits(saved.Deviations), Bits(read.Deviations));
        Assert.All(Values<float>(model.Transform(train), "Score"), score => Assert.InRange(score, 300f, 600f));
    }

    [Fact]
    public void ModelWithoutScalingSectionsLoadsAndScoresAsTheNetworkDoes()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(Series(16, seed: 1));
        var options = UnscaledOptions(standardize: false);
        options.FeaturesPerStep = 2;
        options.Epochs = 2;
        var model = mlContext.Regression.Trainers.Lstm(options).Fit(train);

        var loaded = Assert.IsType<SequenceRegressionTransformer>(SaveAndLoadInNewContext(mlContext, model, train.Schema));

        Assert.Null(loaded.Features.InputScaling);
        Assert.Equal(FloatBits(model.Transform(train), "Score"), FloatBits(loaded.Transform(train), "Score"));
        float[][] raw = Predict(loaded.Model, mlContext.Data.CreateEnumerable<SeriesRow>(train, reuseRowObject: false).Select(row => row.Features));
        Assert.Equal(Bits(raw.Select(prediction => prediction[0])), FloatBits(loaded.Transform(train), "Score"));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void LoadRefusesABadTargetDeviation(float deviation)
    {
        var mlContext = new MLContext(seed: 1);
        var transformer = new SequenceRegressionTransformer(mlContext, RegressionNetwork(), FloatFeatures(), vectorScore: false, new Standardization([400f], [deviation]));
        var data = mlContext.Data.LoadFromEnumerable(RegressionRows());

        var thrown = Assert.ThrowsAny<Exception>(() => SaveAndLoadInNewContext(mlContext, transformer, data.Schema));

        Assert.Contains("transformer.target-scaling", ExceptionChain.Find<InvalidDataException>(thrown).Message);
    }

    [Fact]
    public void LoadRefusesANonFiniteTargetMean()
    {
        var mlContext = new MLContext(seed: 1);
        var transformer = new SequenceRegressionTransformer(mlContext, RegressionNetwork(), FloatFeatures(), vectorScore: false, new Standardization([float.NaN], [1f]));
        var data = mlContext.Data.LoadFromEnumerable(RegressionRows());

        var thrown = Assert.ThrowsAny<Exception>(() => SaveAndLoadInNewContext(mlContext, transformer, data.Schema));

        Assert.Contains("transformer.target-scaling", ExceptionChain.Find<InvalidDataException>(thrown).Message);
    }

    [Fact]
    public void TransformerRefusesATargetScalingOfAnotherCount() =>
        Assert.Throws<InvalidDataException>(() => new SequenceRegressionTransformer(
            new MLContext(seed: 1), RegressionNetwork(), FloatFeatures(), vectorScore: false, new Standardization([1f, 2f], [1f, 1f])));

    /// <summary>A "transformer.input-scaling" section as written: count · means · deviations.</summary>
    private static void WriteInputScaling(ModelFileWriter file, int count, float[] means, float[] deviations)
    {
        ModelSectionWriter section = file.Section(SequenceTransformerFile.InputScalingSection);
        section.WriteInt32(count);
        section.WriteFloats(means);
        section.WriteFloats(deviations);
    }

    public static TheoryData<int, float[], float[]> BadInputScalings => new()
    {
        { FeaturesPerStep + 1, new float[FeaturesPerStep + 1], Enumerable.Repeat(1f, FeaturesPerStep + 1).ToArray() }, // one feature too many
        { 1, [0f], [1f] },                                                                                              // one too few
        { FeaturesPerStep, new float[FeaturesPerStep], new float[FeaturesPerStep] },                                     // std 0
        { FeaturesPerStep, new float[FeaturesPerStep], Enumerable.Repeat(float.NaN, FeaturesPerStep).ToArray() },        // std NaN
        { FeaturesPerStep, Enumerable.Repeat(float.NegativeInfinity, FeaturesPerStep).ToArray(), Enumerable.Repeat(1f, FeaturesPerStep).ToArray() }, // mean −∞
        { FeaturesPerStep, new float[FeaturesPerStep], [1f] },                                                           // truncated
        { -1, [], [] },                                                                                                  // negative count
    };

    [Theory]
    [MemberData(nameof(BadInputScalings))]
    public void ReadRefusesABadInputScalingSection(int count, float[] means, float[] deviations)
    {
        using var stream = new MemoryStream();
        SequenceTransformerFile.Write(stream, BinaryNetwork(), FloatFeatures(), file => WriteInputScaling(file, count, means, deviations));
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => SequenceTransformerFile.Read(stream));

        Assert.Contains(SequenceTransformerFile.InputScalingSection, error.Message);
    }

    [Fact]
    public void ReadRefusesAnInputScalingSectionBesideTokenKeys()
    {
        using var stream = new MemoryStream();
        var tokens = new SequenceFeatures("Tokens", SequenceInput.TokenKeys(5), 0);
        SequenceTransformerFile.Write(stream, TokenNetwork(keyCount: 5, outputs: 1, LossKind.SigmoidBinaryCrossEntropy), tokens, file => WriteInputScaling(file, 1, [0f], [1f]));
        stream.Position = 0;

        Assert.Throws<InvalidDataException>(() => SequenceTransformerFile.Read(stream));
    }

    [Fact]
    public void FloatInputClassificationTrainsOnUnscaledStepsAndRoundTrips()
    {
        var mlContext = new MLContext(seed: 1);
        // Label: whether the steps' mean is above 450, on steps of 400 + [0, 100].
        BinarySeriesRow[] rows = UnscaledSeries(96, seed: 1)
            .Select(row => new BinarySeriesRow { Features = row.Features.Select(value => 400 + value).ToArray(), Label = row.Label > 450 })
            .ToArray();
        IDataView train = mlContext.Data.LoadFromEnumerable(rows);
        var options = Tiny<LstmBinaryTrainer.Options>(featureColumnName: "Features", epochs: 30);
        options.Pooling = SequencePoolingMode.Mean;

        var model = mlContext.BinaryClassification.Trainers.Lstm(options).Fit(train);
        var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(train));
        var loaded = Assert.IsType<SequenceBinaryClassificationTransformer>(SaveAndLoadInNewContext(mlContext, model, train.Schema));

        Assert.True(metrics.Accuracy >= 0.85, $"accuracy {metrics.Accuracy}");
        Assert.NotNull(loaded.Features.InputScaling);
        Assert.Equal(FloatBits(model.Transform(train), "Score"), FloatBits(loaded.Transform(train), "Score"));
    }

    [Fact]
    public void StandardizeInputsOffKeepsTheStepsAsTheyAre()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(UnscaledSeries(16, seed: 1));
        var options = UnscaledOptions(standardize: true);
        options.StandardizeInputs = false;
        options.Epochs = 1;

        var model = mlContext.Regression.Trainers.Lstm(options).Fit(train);

        Assert.Null(model.Features.InputScaling);
    }

    [Fact]
    public void AccumulatorGivesMeansAndDeviationsAndAConstantFeatureADeviationOfOne()
    {
        var accumulator = new Standardization.Accumulator(2);
        accumulator.Add([1f, 5f, 3f, 5f]);
        accumulator.Add([5f, 5f]);

        Standardization scaling = accumulator.ToStandardization();

        Assert.Equal([3f, 5f], scaling.Means);
        Assert.Equal(MathF.Sqrt(8f / 3f), scaling.Deviations[0], 5);
        Assert.Equal(1f, scaling.Deviations[1]);
        float[] values = [3f, 5f];
        scaling.Apply(values);
        Assert.Equal([0f, 0f], values);
        scaling.Restore([1f, 2f], values);
        Assert.Equal([3f + scaling.Deviations[0], 7f], values);
    }
}

/// <summary>A series of float steps with a boolean label.</summary>
public sealed class BinarySeriesRow
{
    [VectorType]
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }
}
