using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// Portable 128-bit (SSE / NEON) GEMM micro-kernel: a 6×8 tile of C held in 12 Vector128&lt;float&gt; accumulators.
/// Each step p broadcasts the 6 floats of A's column p and multiplies them into the 2 vectors of B's row p.
/// </summary>
internal struct Vector128MicroKernel : IGemmMicroKernel
{
    /// <inheritdoc/>
    public static int Rows => 6;

    /// <inheritdoc/>
    public static int Columns => 8;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(
        int depth, float* a, float* b, float* c, nint ldc, int rows, int columns, GemmStore* store, int column, float* tile)
    {
        GemmTile.Prefetch(c, ldc, rows, Columns);
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < depth; p++)
        {
            Vector128<float> b0 = Vector128.Load(b + 0);
            Vector128<float> b1 = Vector128.Load(b + 4);
            Vector128<float> a0 = Vector128.Create(a[0]);
            c00 = MultiplyAdd.Vector(a0, b0, c00);
            c01 = MultiplyAdd.Vector(a0, b1, c01);
            Vector128<float> a1 = Vector128.Create(a[1]);
            c10 = MultiplyAdd.Vector(a1, b0, c10);
            c11 = MultiplyAdd.Vector(a1, b1, c11);
            Vector128<float> a2 = Vector128.Create(a[2]);
            c20 = MultiplyAdd.Vector(a2, b0, c20);
            c21 = MultiplyAdd.Vector(a2, b1, c21);
            Vector128<float> a3 = Vector128.Create(a[3]);
            c30 = MultiplyAdd.Vector(a3, b0, c30);
            c31 = MultiplyAdd.Vector(a3, b1, c31);
            Vector128<float> a4 = Vector128.Create(a[4]);
            c40 = MultiplyAdd.Vector(a4, b0, c40);
            c41 = MultiplyAdd.Vector(a4, b1, c41);
            Vector128<float> a5 = Vector128.Create(a[5]);
            c50 = MultiplyAdd.Vector(a5, b0, c50);
            c51 = MultiplyAdd.Vector(a5, b1, c51);
            a += 6;
            b += 8;
        }

        // One run of stores for every tile, whole or clipped, as in Avx2MicroKernel (which says why).
        TileStores stores = GemmTile.StoresFor(store, c, ldc, rows, columns, Rows, Columns, column, tile);
        Vector128<float> alphas = Vector128.Create(stores.Alpha), betas = Vector128.Create(store->Beta);
        Store(c00, stores.Target + 0 * stores.TargetStride + 0, stores.Source + 0 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c01, stores.Target + 0 * stores.TargetStride + 4, stores.Source + 0 * stores.SourceStride + 4, alphas, betas, stores.Overwrite);
        Store(c10, stores.Target + 1 * stores.TargetStride + 0, stores.Source + 1 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c11, stores.Target + 1 * stores.TargetStride + 4, stores.Source + 1 * stores.SourceStride + 4, alphas, betas, stores.Overwrite);
        Store(c20, stores.Target + 2 * stores.TargetStride + 0, stores.Source + 2 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c21, stores.Target + 2 * stores.TargetStride + 4, stores.Source + 2 * stores.SourceStride + 4, alphas, betas, stores.Overwrite);
        Store(c30, stores.Target + 3 * stores.TargetStride + 0, stores.Source + 3 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c31, stores.Target + 3 * stores.TargetStride + 4, stores.Source + 3 * stores.SourceStride + 4, alphas, betas, stores.Overwrite);
        Store(c40, stores.Target + 4 * stores.TargetStride + 0, stores.Source + 4 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c41, stores.Target + 4 * stores.TargetStride + 4, stores.Source + 4 * stores.SourceStride + 4, alphas, betas, stores.Overwrite);
        Store(c50, stores.Target + 5 * stores.TargetStride + 0, stores.Source + 5 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c51, stores.Target + 5 * stores.TargetStride + 4, stores.Source + 5 * stores.SourceStride + 4, alphas, betas, stores.Overwrite);
        if (!stores.Whole)
            GemmTile.StoreClipped(tile, Columns, c, ldc, rows, columns, store->Alpha, store->Beta, store->Overwrite, stores.Bias);
    }

    /// <summary>C = alpha·acc + beta·S as one FMA per lane (S: C itself, or the bias), or alpha·acc without reading either.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(Vector128<float> accumulator, float* c, float* source, Vector128<float> alphas, Vector128<float> betas, bool overwrite)
    {
        Vector128<float> result = overwrite ? alphas * accumulator : MultiplyAdd.Vector(alphas, accumulator, betas * Vector128.Load(source));
        result.Store(c);
    }
}
