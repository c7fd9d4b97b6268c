using System.Numerics;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class SequencePoolingTests
{
    /// <summary>
    /// Max pooling takes each feature's largest value over a sequence's steps and routes the gradient to the first step
    /// that holds it; NaNs neither win nor lose (a comparison with one is false). The pooling runs a whole row at a time,
    /// in vectors for floats: it must give what comparing each step with the best so far, feature by feature, gives, for
    /// widths that leave a vector's remainder, uneven lengths, ties and NaNs.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(37)]
    [InlineData(128)]
    public void MaxPoolingKeepsTheFirstOfEqualMaximaAndRoutesTheGradientThere(int features)
    {
        AssertMaxPooling<float>(features);
        AssertMaxPooling<double>(features);
    }

    private static void AssertMaxPooling<T>(int features) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] lengths = [5, 1, 9, 3, 9];
        var layout = PackedLayout.FromLengths(lengths);
        var random = new Random(7 + features);
        // Few distinct values, so that ties are common; a NaN here and there.
        T[] input = [.. Enumerable.Range(0, layout.TotalSteps * features).Select(_ =>
            random.Next(40) == 0 ? T.NaN : T.CreateChecked(random.Next(-3, 4)))];
        var pooling = new SequencePooling<T>(PoolingMode.Max, features, 1, null, "pool", null);
        var output = new T[layout.SequenceCount * features];

        pooling.Forward(layout, input, output);

        var outputGradient = Enumerable.Range(0, output.Length).Select(i => T.CreateChecked(i + 1)).ToArray();
        var inputGradient = new T[input.Length];
        pooling.Backward(layout, input, outputGradient, inputGradient);
        var expectedGradient = new T[input.Length];
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            for (int f = 0; f < features; f++)
            {
                int bestRow = layout.Row(0, s);
                for (int t = 1; t < layout.Lengths[s]; t++)
                {
                    int row = layout.Row(t, s);
                    if (input[row * features + f] > input[bestRow * features + f])
                        bestRow = row;
                }
                T expected = input[bestRow * features + f], actual = output[s * features + f];
                Assert.True(T.IsNaN(expected) ? T.IsNaN(actual) : expected == actual, $"{typeof(T).Name}, sequence {s}, feature {f}: {actual}, expected {expected}.");
                expectedGradient[bestRow * features + f] += outputGradient[s * features + f];
            }
        }
        Assert.Equal(expectedGradient, inputGradient);
    }
}
