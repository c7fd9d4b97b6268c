using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>Weight initialisers, all drawing from a caller's <see cref="Random"/> so a seed fixes the weights.</summary>
internal static class Initialization
{
    /// <summary>Fills with N(0, scale²) (Box–Muller).</summary>
    public static void Normal<T>(Span<T> values, Random random, double scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = T.CreateChecked(scale * StandardNormal(random));
    }

    /// <summary>
    /// Xavier/Glorot uniform for a [fanOut, fanIn] matrix: U(−a, a) with a = √(6 / (fanIn + fanOut)),
    /// which keeps activations' variance steady through the layer.
    /// </summary>
    public static void XavierUniform<T>(Span<T> values, int fanIn, int fanOut, Random random) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < values.Length; i++)
            values[i] = T.CreateChecked((random.NextDouble() * 2 - 1) * limit);
    }

    /// <summary>
    /// A random orthogonal [size, size] matrix (Gram–Schmidt on Gaussian rows, done twice for accuracy).
    /// Recurrent weights that are orthogonal neither shrink nor grow the state at the start of training.
    /// </summary>
    public static void Orthogonal<T>(Span<T> values, int size, Random random) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = new double[size * size];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = StandardNormal(random);
        for (int r = 0; r < size; r++)
        {
            Span<double> row = rows.AsSpan(r * size, size);
            for (int pass = 0; pass < 2; pass++)
            {
                for (int q = 0; q < r; q++)
                {
                    ReadOnlySpan<double> previous = rows.AsSpan(q * size, size);
                    double projection = 0;
                    for (int j = 0; j < size; j++)
                        projection += row[j] * previous[j];
                    for (int j = 0; j < size; j++)
                        row[j] -= projection * previous[j];
                }
            }
            double norm = 0;
            for (int j = 0; j < size; j++)
                norm += row[j] * row[j];
            norm = Math.Sqrt(norm);
            for (int j = 0; j < size; j++)
                row[j] /= norm;
        }
        for (int i = 0; i < rows.Length; i++)
            values[i] = T.CreateChecked(rows[i]);
    }

    private static double StandardNormal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
