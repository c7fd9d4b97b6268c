using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary><c>FeaturizeByLstm</c>'s <c>SingletonDropout</c>: the unknown token's vector learned from the words seen once.</summary>
public class LstmFeaturizingSingletonDropoutTests
{
    /// <summary>Reviews, and a few more each holding one word no other row holds.</summary>
    private static SentenceRow[] ReviewsWithRareWords() =>
        [.. Reviews(40, seed: 1), .. new[] { "quokka", "zeppelin", "marzipan", "obelisk" }.Select(word => new SentenceRow { Text = $"the movie was {word} and good" })];

    private static float[] UnknownTokenVector(double singletonDropout, int epochs)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(ReviewsWithRareWords());
        IDataView tokens = Tokenize(ml).Fit(data).Transform(data);
        var options = new LstmFeaturizingEstimator.Options
        {
            OutputColumnName = "Vector", InputColumnName = "Tokens", HiddenSize = 8, EmbeddingSize = 4, Epochs = epochs, BatchSize = 8,
            Dropout = 0, ValidationFraction = 0, NumberOfThreads = 1, Seed = 1, SingletonDropout = singletonDropout,
        };
        ParameterStore<float> parameters = ml.Transforms.FeaturizeByLstm(options).Fit(tokens).Network.Parameters;
        float[] table = parameters.Value(parameters.Find("embedding")).ToArray(); // [tokens + 1, 4], the unknown token last
        return table[^4..];
    }

    [Fact]
    public void SingletonDropoutTrainsTheUnknownTokensVectorWhichOtherwiseKeepsItsRandomStart()
    {
        // Without it no training row reads the unknown token, so its vector is the same after one epoch or three.
        float[] untouched = UnknownTokenVector(0, epochs: 1);
        Assert.Equal(untouched, UnknownTokenVector(0, epochs: 3));
        // With it the four words seen once stand in for it now and then, and it learns.
        float[] learned = UnknownTokenVector(0.5, epochs: 3);
        Assert.NotEqual(untouched, learned);
        Assert.All(learned, value => Assert.True(float.IsFinite(value)));
        Assert.Equal(learned, UnknownTokenVector(0.5, epochs: 3)); // the same seed, the same draws
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void SingletonDropoutOutsideZeroToOneIsRefusedByName(double value)
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.FeaturizeByLstm(new LstmFeaturizingEstimator.Options { SingletonDropout = value }));
        Assert.Contains("SingletonDropout", error.Message);
    }
}
