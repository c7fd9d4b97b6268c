using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>The span helpers the layers sum their bias gradients with.</summary>
public class VectorMathTests
{
    [Theory]
    [InlineData(700, 1024)]  // an LSTM's 4H = 1024 over 700 rows: split between threads
    [InlineData(300, 1000)]  // a width that is no whole number of 64-column blocks
    [InlineData(10, 200)]    // too small to split: the one-thread loop
    public void ColumnSumsOnSeveralThreadsAreTheSameBitsAsOnOne(int rows, int width)
    {
        var random = new Random(3);
        float[] source = Enumerable.Range(0, rows * width).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] start = Enumerable.Range(0, width).Select(_ => (float)random.NextDouble()).ToArray();
        float[] one = (float[])start.Clone();
        VectorMath.AddColumnSums<float>(source, rows, width, one);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            float[] several = (float[])start.Clone();
            VectorMath.AddColumnSums<float>(source, rows, width, several, threads);
            Assert.Equal(one, several);
        }

        // And each is the column's sum in row order.
        float expected = start[width - 1];
        for (int r = 0; r < rows; r++)
            expected += source[r * width + width - 1];
        Assert.Equal(expected, one[width - 1]);
    }
}
