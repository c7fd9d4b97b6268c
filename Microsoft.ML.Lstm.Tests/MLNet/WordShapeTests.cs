using Microsoft.ML.Lstm.MLNet;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class WordShapeTests
{
    [Theory]
    [InlineData("paris", 0, 0, 0, 0)]
    [InlineData("Paris", 1, 0, 0, 0)]
    [InlineData("NATO", 1, 1, 0, 0)]
    [InlineData("U.S.", 1, 1, 0, 1)]
    [InlineData("B2B", 1, 1, 1, 0)]
    [InlineData("2017", 0, 0, 1, 0)]
    [InlineData("@user_1", 0, 0, 1, 1)]
    [InlineData("#WNUT", 0, 1, 0, 1)]
    [InlineData("Émile", 1, 0, 0, 0)]
    [InlineData("北京", 0, 0, 0, 0)]
    [InlineData("", 0, 0, 0, 0)]
    public void FourValuesOfTheTokensSpelling(string token, float firstUpper, float allUpper, float digit, float punctuation)
    {
        var features = new float[WordShape.FeatureCount];

        WordShape.Write(token, features);

        Assert.Equal([firstUpper, allUpper, digit, punctuation], features);
    }
}
