using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
    /// Where a micro-kernel's one run of stores goes for a tile of <paramref name="rows"/> × <paramref name="columns"/> at C's
    /// column <paramref name="column"/> (see <see cref="TileStores"/>); <paramref name="kernelRows"/> × <paramref name="kernelColumns"/>
    /// is the kernel's whole tile and <paramref name="tile"/> its caller's spill room for a clipped one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe TileStores StoresFor(
        GemmStore* store, float* c, nint ldc, int rows, int columns, int kernelRows, int kernelColumns, int column, float* tile)
    {
        bool whole = rows == kernelRows && columns == kernelColumns;
        float* bias = store->Bias == null ? null : store->Bias + column;
        float* target = whole ? c : tile;
        nint targetStride = whole ? ldc : kernelColumns;
        // What beta multiplies: C, or the bias row (the same for every row of the tile).
        return new TileStores(
            whole, target, targetStride, bias == null ? target : bias, bias == null ? targetStride : 0,
            whole ? store->Alpha : 1f, !whole || store->Overwrite, bias);
    }

    /// <summary>
    /// C[r, j] = alpha · tile[r, j] + beta · C[r, j] (or beta · bias[j], the bias in C's place) for r &lt; rows, j &lt; columns, with the same single FMA the
    /// vector path uses (fma(alpha, acc, beta·c); a multiply and an add on a CPU without FMA, see <see cref="MultiplyAdd"/>),
    /// so edge elements round exactly like interior ones. Whole vectors of a row go through <see cref="MultiplyAdd.Vector(Vector256{float}, Vector256{float}, Vector256{float})"/>,
    /// lane for lane the scalar form: a tile clipped only in its rows (the last rows of a product) cost the AVX2 kernel
    /// about 80 scalar stores, as much as a fifth of the tile's depth loop at depth 128.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void StoreClipped(
        float* tile, int tileStride, float* c, nint ldc, int rows, int columns, float alpha, float beta, bool overwrite, float* bias = null)
    {
        for (int r = 0; r < rows; r++)
        {
            float* source = tile + r * tileStride;
            float* target = c + r * ldc;
            float* betaTimes = bias == null ? target : bias;
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> alphas = Vector256.Create(alpha), betas = Vector256.Create(beta);
                for (; j + Vector256<float>.Count <= columns; j += Vector256<float>.Count)
                {
                    Vector256<float> result = overwrite
                        ? alphas * Vector256.Load(source + j)
                        : MultiplyAdd.Vector(alphas, Vector256.Load(source + j), betas * Vector256.Load(betaTimes + j));
                    result.Store(target + j);
                }
            }
            if (overwrite)
            {
                for (; j < columns; j++)
                    target[j] = alpha * source[j];
            }
            else
            {
                for (; j < columns; j++)
                    target[j] = MultiplyAdd.Scalar(alpha, source[j], beta * betaTimes[j]);
            }
        }
    }
}

/// <summary>
/// A micro-kernel's one run of stores for every tile (<see cref="GemmTile.StoresFor"/>): a whole tile goes into C as
/// alpha·acc + beta·S, S being C itself or the bias row where the depth block stores over one; a clipped tile goes raw into
/// the spill room (alpha 1, nothing read), and <see cref="GemmTile.StoreClipped"/> then writes its part inside C with the
/// block's own alpha, beta and <see cref="Bias"/>. Each accumulator of row r, lane offset j is stored at
/// <see cref="Target"/> + r·<see cref="TargetStride"/> + j, from <see cref="Source"/> + r·<see cref="SourceStride"/> + j.
/// </summary>
internal readonly unsafe struct TileStores(
    bool whole, float* target, nint targetStride, float* source, nint sourceStride, float alpha, bool overwrite, float* bias)
{
    /// <summary>Whether the tile is the kernel's whole tile, stored straight into C.</summary>
    public bool Whole { get; } = whole;

    /// <summary>Where row 0 of the accumulators goes: C, or the spill room.</summary>
    public float* Target { get; } = target;

    /// <summary>Floats between two rows of <see cref="Target"/>.</summary>
    public nint TargetStride { get; } = targetStride;

    /// <summary>What beta multiplies for row 0: C, or the bias row.</summary>
    public float* Source { get; } = source;

    /// <summary>Floats between two rows of <see cref="Source"/> (0 for the bias row).</summary>
    public nint SourceStride { get; } = sourceStride;

    /// <summary>What the accumulators are multiplied by in this run (1 into the spill room).</summary>
    public float Alpha { get; } = alpha;

    /// <summary>Whether this run writes without reading <see cref="Source"/>.</summary>
    public bool Overwrite { get; } = overwrite;

    /// <summary>The tile's first column of the bias the block stores over, or null.</summary>
    public float* Bias { get; } = bias;
}
