namespace Microsoft.ML.Lstm.Numerics;

/// <summary>Stores a micro-kernel's accumulator tile into a clipped edge of C.</summary>
internal static class GemmTile
{
    /// <summary>
    /// C[r, j] = alpha · tile[r, j] + beta · C[r, j] (or beta · bias[j], the bias in C's place) for r &lt; rows, j &lt; columns, with the same single FMA the
    /// vector path uses (fma(alpha, acc, beta·c); a multiply and an add on a CPU without FMA, see <see cref="MultiplyAdd"/>),
    /// so edge elements round exactly like interior ones.
    /// </summary>
    public static unsafe void StoreClipped(
        float* tile, int tileStride, float* c, nint ldc, int rows, int columns, float alpha, float beta, bool overwrite, float* bias = null)
    {
        for (int r = 0; r < rows; r++)
        {
            float* source = tile + r * tileStride;
            float* target = c + r * ldc;
            if (overwrite)
            {
                for (int j = 0; j < columns; j++)
                    target[j] = alpha * source[j];
            }
            else
            {
                for (int j = 0; j < columns; j++)
                    target[j] = MultiplyAdd.Scalar(alpha, source[j], beta * (bias == null ? target[j] : bias[j]));
            }
        }
    }
}
