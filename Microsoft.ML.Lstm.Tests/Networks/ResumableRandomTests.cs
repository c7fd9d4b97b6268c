using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class ResumableRandomTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(-7)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void DrawsWhatASeededRandomDraws(int seed)
    {
        var expected = new Random(seed);
        var actual = new ResumableRandom(seed);
        for (int i = 0; i < 5000; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.NextDouble()), BitConverter.DoubleToInt64Bits(actual.NextDouble()));
            Assert.Equal(expected.Next(i, 3 * i + 7), actual.Next(i, 3 * i + 7));
            Assert.Equal(expected.Next(int.MinValue, int.MaxValue), actual.Next(int.MinValue, int.MaxValue));
            Assert.Equal(expected.Next(), actual.Next());
            Assert.Equal(expected.Next(100), actual.Next(100));
        }
        int[] shuffledByRandom = [.. Enumerable.Range(0, 1000)], shuffledByOurs = [.. Enumerable.Range(0, 1000)];
        expected.Shuffle(shuffledByRandom);
        actual.Shuffle(shuffledByOurs);
        Assert.Equal(shuffledByRandom, shuffledByOurs);
    }

    [Fact]
    public void ARestoredStateDrawsWhatFollowedItsSave()
    {
        var random = new ResumableRandom(3);
        for (int i = 0; i < 100; i++)
            random.NextDouble();
        int[] state = random.SaveState();
        double[] following = [.. Enumerable.Range(0, 200).Select(_ => random.NextDouble())];

        var restored = new ResumableRandom(99);
        restored.RestoreState(state);

        Assert.Equal(following, Enumerable.Range(0, 200).Select(_ => restored.NextDouble()));
    }

    [Fact]
    public void AStateThatCannotBeTheGeneratorsIsRefused()
    {
        int[] state = new ResumableRandom(1).SaveState();
        state[^1] = 56;

        Assert.Throws<InvalidDataException>(() => new ResumableRandom(1).RestoreState(state));
        Assert.Throws<InvalidDataException>(() => new ResumableRandom(1).RestoreState(state.AsSpan(1)));
    }
}
