using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// <see cref="WeightPrecisionExtensions.WithWeightPrecision{TTransformer}(TTransformer, WeightPrecision)"/> on every job:
/// the copy scores in its precision, saves and loads in it bit for bit, and leaves the transformer it was made from as it
/// was; on a trained classifier its predictions stay within stated bounds of float32's. The harness, fuzz and concurrent
/// scoring tests run compressed models of three jobs as well (<see cref="EstimatorCases"/>).
/// </summary>
public class WeightPrecisionTests
{
    /// <summary>The float32 cases of the harness, with each compressed precision.</summary>
    public static TheoryData<string, string> CasesAndPrecisions
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (EstimatorCase estimatorCase in EstimatorCases.All.Where(c => !c.Name.Contains("weights", StringComparison.Ordinal)))
            {
                data.Add(estimatorCase.Name, nameof(WeightPrecision.BFloat16));
                data.Add(estimatorCase.Name, nameof(WeightPrecision.Int8));
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CasesAndPrecisions))]
    public void EveryJobSavesAndLoadsItsCompressedFormBitForBitAndLeavesTheOriginalAsItWas(string name, string precisionName)
    {
        var mlContext = new MLContext(seed: 1);
        WeightPrecision precision = Enum.Parse<WeightPrecision>(precisionName);
        EstimatorCase estimatorCase = EstimatorCases.Named(name);
        IDataView data = estimatorCase.TrainingData(mlContext);
        ITransformer model = estimatorCase.Estimator(mlContext).Fit(data);
        string[] columns = [.. model.GetOutputSchema(data.Schema).Where(c => !c.IsHidden && c.Index >= data.Schema.Count).Select(c => c.Name)];
        List<string>[] original = Scores(model, data, columns);

        ITransformer compressed = Compress(model, precision);
        Assert.Equal(WeightPrecision.Float32, PrecisionOf(model));
        Assert.Equal(precision, PrecisionOf(compressed));
        Assert.Equal(model.GetType(), compressed.GetType());
        List<string>[] compressedScores = Scores(compressed, data, columns);
        Assert.Equal(original, Scores(model, data, columns));
        Assert.NotEqual(original, compressedScores);

        ITransformer loaded = LstmTestData.SaveAndLoadInNewContext(mlContext, compressed, data.Schema);
        Assert.Equal(precision, PrecisionOf(loaded));
        Assert.Equal(compressedScores, Scores(loaded, data, columns));
        Assert.True(SavedBytes(mlContext, compressed, data.Schema) < SavedBytes(mlContext, model, data.Schema), "the compressed model is not smaller");
    }

    [Fact]
    public void ACompressedClassifierPredictsWithinBoundsOfFloat32()
    {
        var mlContext = new MLContext(seed: 1);
        var tokens = LstmTestData.Tokenize(mlContext).Fit(mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(600, seed: 1)));
        IDataView train = tokens.Transform(mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(400, seed: 1)));
        IDataView test = tokens.Transform(mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(200, seed: 2)));
        var options = LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 6);
        options.HiddenSize = 32;
        SequenceBinaryClassificationTransformer trained = mlContext.BinaryClassification.Trainers.Lstm(options).Fit(train);
        float[] expected = Probabilities(trained, test);
        double accuracy = mlContext.BinaryClassification.Evaluate(trained.Transform(test)).Accuracy;

        // Bounds stated for this network (measured: bfloat16 moves a probability by at most 7·10⁻⁶, int8 by 4.4·10⁻⁵; the
        // probabilities of this easy task sit near 0 and 1, where the sigmoid flattens the logits' changes).
        foreach ((WeightPrecision precision, double bound) in new[] { (WeightPrecision.BFloat16, 1e-3), (WeightPrecision.Int8, 5e-3) })
        {
            SequenceBinaryClassificationTransformer compressed = trained.WithWeightPrecision(precision);
            float[] actual = Probabilities(compressed, test);
            double largest = expected.Zip(actual).Max(pair => Math.Abs(pair.First - pair.Second));
            Assert.True(largest <= bound, $"{precision}: a probability moved by {largest}");
            double compressedAccuracy = mlContext.BinaryClassification.Evaluate(compressed.Transform(test)).Accuracy;
            Assert.True(Math.Abs(compressedAccuracy - accuracy) <= 0.01, $"{precision}: accuracy {compressedAccuracy:P1} against {accuracy:P1}");
        }
    }

    [Fact]
    public void Float32AgainScoresWithTheValuesTheBFloat16WeightsStoodFor()
    {
        // bfloat16 widens exactly and runs the float kernels' chains: going back to float32 gives the same bits.
        var mlContext = new MLContext(seed: 1);
        EstimatorCase estimatorCase = EstimatorCases.Named("binary over token keys");
        IDataView data = estimatorCase.TrainingData(mlContext);
        var trained = (SequenceBinaryClassificationTransformer)estimatorCase.Estimator(mlContext).Fit(data);
        SequenceBinaryClassificationTransformer bfloat16 = trained.WithWeightPrecision(WeightPrecision.BFloat16);
        SequenceBinaryClassificationTransformer back = bfloat16.WithWeightPrecision(WeightPrecision.Float32);
        Assert.Equal(WeightPrecision.Float32, back.WeightPrecision);
        Assert.Equal(Scores(bfloat16, data, ["Score"]), Scores(back, data, ["Score"]));
        Assert.NotEqual(Scores(trained, data, ["Score"]), Scores(back, data, ["Score"]));
    }

    [Fact]
    public void RefusesAnUndefinedPrecisionAndNoTransformer()
    {
        var mlContext = new MLContext(seed: 1);
        EstimatorCase estimatorCase = EstimatorCases.Named("binary over token keys");
        var trained = (SequenceBinaryClassificationTransformer)estimatorCase.Estimator(mlContext).Fit(estimatorCase.TrainingData(mlContext));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trained.WithWeightPrecision((WeightPrecision)7));
        Assert.Equal("precision", error.ParamName);
        Assert.Throws<ArgumentNullException>(() => ((SequenceBinaryClassificationTransformer)null!).WithWeightPrecision(WeightPrecision.Int8));
        Assert.Throws<ArgumentNullException>(() => ((LstmForecastingTransformer)null!).WithWeightPrecision(WeightPrecision.Int8));
    }

    private static ITransformer Compress(ITransformer model, WeightPrecision precision) => model switch
    {
        SequencePredictionTransformerBase transformer => transformer.WithWeightPrecision(precision),
        LstmForecastingTransformer forecaster => forecaster.WithWeightPrecision(precision),
        _ => throw new NotSupportedException(model.GetType().Name),
    };

    private static WeightPrecision PrecisionOf(ITransformer model) => model switch
    {
        SequencePredictionTransformerBase transformer => transformer.WeightPrecision,
        LstmForecastingTransformer forecaster => forecaster.WeightPrecision,
        _ => throw new NotSupportedException(model.GetType().Name),
    };

    private static List<string>[] Scores(ITransformer model, IDataView data, string[] columns)
    {
        IDataView scored = model.Transform(data);
        return [.. columns.Select(column => ColumnValues.Read(scored, column))];
    }

    private static float[] Probabilities(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<float>("Probability")];

    private static long SavedBytes(MLContext mlContext, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        mlContext.Model.Save(model, schema, stream);
        return stream.Length;
    }
}
