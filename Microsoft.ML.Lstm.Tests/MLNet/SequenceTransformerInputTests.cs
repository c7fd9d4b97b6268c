using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class SequenceTransformerInputTests
{
    [Fact]
    public void TokenKeysBecomeZeroBasedTokenIndices()
    {
        var mlContext = new MLContext(seed: 1);
        var sentences = mlContext.Data.LoadFromEnumerable(new SentenceRow[]
        {
            new() { Text = "a b c", Label = true },
            new() { Text = "c c", Label = false },
        });
        var tokens = mlContext.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(mlContext.Transforms.Conversion.MapValueToKey("Tokens"))
            .Fit(sentences)
            .Transform(sentences);
        // Keys a=1, b=2, c=3 → token ids 0, 1, 2.
        var network = TokenNetwork(keyCount: 3, outputs: 1, LossKind.MeanSquaredError);
        var transformer = new SequenceRegressionTransformer(mlContext, network, new SequenceFeatures("Tokens", SequenceInput.TokenKeys(3), 0), vectorScore: false);

        var scores = Values<float>(transformer.Transform(tokens), "Score");

        Assert.Equal(Bits([Predict(network, [0, 1, 2]), Predict(network, [2, 2])]), Bits(scores));
    }

    [Fact]
    public void UnknownTokenKeyIsTheLastTokenId()
    {
        var mlContext = new MLContext(seed: 1);
        var keys = mlContext.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(mlContext.Transforms.Conversion.MapValueToKey("Tokens"))
            .Fit(mlContext.Data.LoadFromEnumerable(new[] { new SentenceRow { Text = "a b c" } }));
        var tokens = keys.Transform(mlContext.Data.LoadFromEnumerable(new[] { new SentenceRow { Text = "b zebra" } }));
        var network = TokenNetwork(keyCount: 3, outputs: 1, LossKind.MeanSquaredError);
        var transformer = new SequenceRegressionTransformer(mlContext, network, new SequenceFeatures("Tokens", SequenceInput.TokenKeys(3), 0), vectorScore: false);

        float score = Values<float>(transformer.Transform(tokens), "Score").Single();

        Assert.Equal(BitConverter.SingleToInt32Bits(Predict(network, [1, 3])), BitConverter.SingleToInt32Bits(score));
    }

    [Fact]
    public void TokenColumnWithAnotherVocabularyIsRejected()
    {
        var mlContext = new MLContext(seed: 1);
        var sentences = mlContext.Data.LoadFromEnumerable(new SentenceRow[] { new() { Text = "a b", Label = true } });
        var tokens = mlContext.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(mlContext.Transforms.Conversion.MapValueToKey("Tokens"))
            .Fit(sentences)
            .Transform(sentences);
        var transformer = new SequenceRegressionTransformer(
            mlContext, TokenNetwork(keyCount: 5, outputs: 1, LossKind.MeanSquaredError), new SequenceFeatures("Tokens", SequenceInput.TokenKeys(5), 0), vectorScore: false);

        var exception = Assert.ThrowsAny<ArgumentException>(() => transformer.Transform(tokens));

        Assert.Contains("Tokens", exception.Message);
        Assert.Contains("0-4", exception.Message);
    }

    [Fact]
    public void MissingFeatureColumnIsNamed()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(BinaryRows());
        var transformer = new SequenceBinaryClassificationTransformer(mlContext, BinaryNetwork(), FloatFeatures("Sequence"));

        var exception = Assert.ThrowsAny<ArgumentException>(() => transformer.GetOutputSchema(data.Schema));

        Assert.Contains("Sequence", exception.Message);
    }

    [Fact]
    public void WrongFeatureTypeIsNamed()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(BinaryRows());
        var transformer = new SequenceBinaryClassificationTransformer(mlContext, BinaryNetwork(), FloatFeatures("Label"));

        var exception = Assert.ThrowsAny<ArgumentException>(() => transformer.Transform(data));

        Assert.Contains("Label", exception.Message);
        Assert.Contains("vector of Single", exception.Message);
    }

    [Fact]
    public void EmptySequenceScoresAsOneStepOfZeros()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = new[] { new BinarySequenceRow { Features = [0.5f, 0.5f] }, new BinarySequenceRow { Features = [] }, new BinarySequenceRow { Features = [0f, 0f] } };

        var scores = Values<float>(BinaryTransformer(mlContext).Transform(mlContext.Data.LoadFromEnumerable(rows)), "Score");

        Assert.Equal(BitConverter.SingleToInt32Bits(scores[2]), BitConverter.SingleToInt32Bits(scores[1]));
    }

    [Fact]
    public void NonFiniteFeatureScoresAsZero()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = new[]
        {
            new BinarySequenceRow { Features = [0.5f, 0.5f, float.NaN, 0.3f] },
            new BinarySequenceRow { Features = [0.5f, 0.5f, float.PositiveInfinity, 0.3f] },
            new BinarySequenceRow { Features = [0.5f, 0.5f, 0f, 0.3f] },
        };

        var scores = Values<float>(BinaryTransformer(mlContext).Transform(mlContext.Data.LoadFromEnumerable(rows)), "Score");

        Assert.Equal(Bits([scores[2], scores[2]]), Bits([scores[0], scores[1]]));
    }

    [Fact]
    public void PartialStepIsRejected()
    {
        var exception = ScoreRows(new BinarySequenceRow { Features = [0.5f, 0.5f, 0.1f] });

        Assert.Contains("whole number of steps of 2 features, got 3", exception.Message);
    }

    private static float Predict(SequenceModel network, int[] tokens)
    {
        var prediction = new float[1];
        network.Predict(tokens, prediction);
        return prediction[0];
    }

    private static InvalidOperationException ScoreRows(params BinarySequenceRow[] rows)
    {
        var mlContext = new MLContext(seed: 1);
        var scored = BinaryTransformer(mlContext).Transform(mlContext.Data.LoadFromEnumerable(rows));
        // ML.NET scores in parallel cursors and rethrows a worker's failure inside its own.
        return ExceptionChain.Find<InvalidOperationException>(Record.Exception(() => Values<float>(scored, "Score"))!);
    }
}
