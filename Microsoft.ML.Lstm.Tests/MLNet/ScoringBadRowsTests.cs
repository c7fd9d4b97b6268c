using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// The scoring policy for bad rows (README, "Guarantees"): a blank or out-of-range row scores instead of failing the
/// cursor, while training stays strict.
/// </summary>
public class ScoringBadRowsTests
{
    private readonly MLContext mlContext = new(seed: 1);

    [Fact]
    public void EveryKeyAboveTheKeyCountScoresAsTheUnknownToken()
    {
        // Key<U4, 10>: keys 1-10 are tokens 0-9, the missing key 0 and anything above 10 the unknown token 10.
        var network = TokenNetwork(keyCount: 10, outputs: 1, LossKind.MeanSquaredError);
        var transformer = new SequenceRegressionTransformer(mlContext, network, new SequenceFeatures("Tokens", SequenceInput.TokenKeys(10), 0), vectorScore: false);
        uint[][] rows = [[3, 0], [3, 11], [3, 12], [3, 1000], [3, uint.MaxValue]];

        var scores = Values<float>(transformer.Transform(RawKeys(rows, keyCount: 10)), "Score");

        float unknown = Predict(network, [2, 10]);
        Assert.All(scores, score => Assert.Equal(BitConverter.SingleToInt32Bits(unknown), BitConverter.SingleToInt32Bits(score)));
    }

    [Fact]
    public void TheRowReaderSeesTheRawOutOfRangeKeys()
    {
        // Holds the test above to what it claims: the keys reach the reader as written, not mapped to 0 on the way.
        IDataView data = RawKeys([[11, 12]], keyCount: 10);
        using var cursor = data.GetRowCursor(data.Schema);
        cursor.MoveNext();
        VBuffer<uint> keys = default;
        cursor.GetGetter<VBuffer<uint>>(data.Schema["Tokens"])(ref keys);

        Assert.Equal([11u, 12u], keys.DenseValues().ToArray());
    }

    [Fact]
    public void AnEmptyKeyVectorScoresAsOneUnknownToken()
    {
        var network = TokenNetwork(keyCount: 10, outputs: 1, LossKind.MeanSquaredError);
        var transformer = new SequenceRegressionTransformer(mlContext, network, new SequenceFeatures("Tokens", SequenceInput.TokenKeys(10), 0), vectorScore: false);

        float score = Values<float>(transformer.Transform(RawKeys([[]], keyCount: 10)), "Score").Single();

        Assert.Equal(BitConverter.SingleToInt32Bits(Predict(network, [10])), BitConverter.SingleToInt32Bits(score));
    }

    [Fact]
    public void APredictionEngineScoresBlankTextAsOneUnknownWord()
    {
        var pipeline = LstmTestData.Tokenize(mlContext)
            .Append(mlContext.BinaryClassification.Trainers.Lstm(LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 2)));
        var model = pipeline.Fit(mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(40, seed: 1)));
        using var engine = mlContext.Model.CreatePredictionEngine<SentenceRow, BinaryPrediction>(model);

        BinaryPrediction blank = engine.Predict(new SentenceRow { Text = "" });
        float blankScore = blank.Score;
        float spacesScore = engine.Predict(new SentenceRow { Text = "   " }).Score;
        float unknownScore = engine.Predict(new SentenceRow { Text = "zyzzyva" }).Score;

        Assert.True(float.IsFinite(blankScore));
        Assert.Equal(BitConverter.SingleToInt32Bits(unknownScore), BitConverter.SingleToInt32Bits(blankScore));
        Assert.Equal(BitConverter.SingleToInt32Bits(unknownScore), BitConverter.SingleToInt32Bits(spacesScore));
    }

    [Fact]
    public void StandardizedInputsReadAMissingValueAsTheTrainingMean()
    {
        var scaling = new Standardization([10f, -4f], [2f, 0.5f]);
        var features = new SequenceFeatures("Features", SequenceInput.FloatSteps(2), 0) { InputScaling = scaling };
        var network = FeatureNetwork(1, LossKind.MeanSquaredError);
        var transformer = new SequenceRegressionTransformer(mlContext, network, features, vectorScore: false);
        var rows = new[]
        {
            new RegressionSequenceRow { Features = [12f, float.NaN] },
            new RegressionSequenceRow { Features = [12f, -4f] },
            new RegressionSequenceRow { Features = [] },
            new RegressionSequenceRow { Features = [10f, -4f] },
        };

        var scores = Values<float>(transformer.Transform(mlContext.Data.LoadFromEnumerable(rows)), "Score");

        Assert.Equal(Bits([scores[1], scores[3]]), Bits([scores[0], scores[2]]));
    }

    [Fact]
    public void TrainingStillRefusesAKeyAboveTheKeyCount()
    {
        var trainer = mlContext.Regression.Trainers.Lstm(LstmTestData.Tiny<LstmRegressionTrainer.Options>(epochs: 1));

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(RawKeys([[1, 2], [3, 11], [4]], keyCount: 10)));

        Assert.Contains("Column 'Tokens', row 1 of the training data: key 11 at step 1 is out of range", error.Message);
    }

    private IDataView RawKeys(uint[][] rows, ulong keyCount)
    {
        var definition = SchemaDefinition.Create(typeof(RawKeyRow));
        definition["Tokens"].ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(uint), keyCount));
        return mlContext.Data.LoadFromEnumerable(rows.Select(tokens => new RawKeyRow { Tokens = tokens }), definition);
    }

    private static float Predict(SequenceModel network, int[] tokens)
    {
        var prediction = new float[1];
        network.Predict(tokens, prediction);
        return prediction[0];
    }
}

/// <summary>Token keys as a schema definition types them, with a regression label.</summary>
public sealed class RawKeyRow
{
    public uint[] Tokens { get; set; } = [];

    public float Label { get; set; } = 1f;
}
