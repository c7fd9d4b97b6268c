using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>What every kernel does with its tile of C: asks for it early, and stores it into a clipped edge.</summary>
internal static class GemmTile
{
    /// <summary>
    /// Asks for <paramref name="rows"/> rows of C, <paramref name="width"/> floats from <paramref name="c"/> on (every 64-byte
    /// line, and the line of the last float: a row's part need not start on a line), while the kernel's depth loop runs.
    /// The recurrent step adds into its slice of the gates buffer, which the input projection wrote megabytes earlier:
    /// C's rows are a page apart, too many streams for the hardware prefetchers, so without this every tile waited for
    /// memory at its store (a fifth of the micro-kernel's time in lstm-a inference; the four-row kernel took 14 % of
    /// lstm-bi-b inference for 11 % of its multiply-adds). x86 only; elsewhere nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(float* c, nint ldc, int rows, int width)
    {
        if (!Sse.IsSupported)
            return;
        int last = width - 1;
        for (int r = 0; r < rows; r++, c += ldc)
        {
            for (int j = 0; j < last; j += 16)
                Sse.Prefetch0(c + j);
            Sse.Prefetch0(c + last);
        }
    }

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
