using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// AVX-512F GEMM micro-kernel: a 8×32 tile of C held in 16 Vector512&lt;float&gt; accumulators.
/// Each step p broadcasts the 8 floats of A's column p and multiplies them into the 2 vectors of B's row p.
/// </summary>
internal struct Avx512MicroKernel : IGemmMicroKernel
{
    /// <inheritdoc/>
    public static int Rows => 8;

    /// <inheritdoc/>
    public static int Columns => 32;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(
        int depth, float* a, float* b, float* c, nint ldc, int rows, int columns, GemmStore* store, int column, float* tile)
    {
        GemmTile.Prefetch(c, ldc, rows, Columns);

        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < depth; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(a6, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(a6, b1, c61);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(a7, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += 32;
        }

        // One run of stores for every tile, whole or clipped, as in Avx2MicroKernel (which says why).
        TileStores stores = GemmTile.StoresFor(store, c, ldc, rows, columns, Rows, Columns, column, tile);
        Vector512<float> alphas = Vector512.Create(stores.Alpha), betas = Vector512.Create(store->Beta);
        Store(c00, stores.Target + 0 * stores.TargetStride + 0, stores.Source + 0 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c01, stores.Target + 0 * stores.TargetStride + 16, stores.Source + 0 * stores.SourceStride + 16, alphas, betas, stores.Overwrite);
        Store(c10, stores.Target + 1 * stores.TargetStride + 0, stores.Source + 1 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c11, stores.Target + 1 * stores.TargetStride + 16, stores.Source + 1 * stores.SourceStride + 16, alphas, betas, stores.Overwrite);
        Store(c20, stores.Target + 2 * stores.TargetStride + 0, stores.Source + 2 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c21, stores.Target + 2 * stores.TargetStride + 16, stores.Source + 2 * stores.SourceStride + 16, alphas, betas, stores.Overwrite);
        Store(c30, stores.Target + 3 * stores.TargetStride + 0, stores.Source + 3 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c31, stores.Target + 3 * stores.TargetStride + 16, stores.Source + 3 * stores.SourceStride + 16, alphas, betas, stores.Overwrite);
        Store(c40, stores.Target + 4 * stores.TargetStride + 0, stores.Source + 4 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c41, stores.Target + 4 * stores.TargetStride + 16, stores.Source + 4 * stores.SourceStride + 16, alphas, betas, stores.Overwrite);
        Store(c50, stores.Target + 5 * stores.TargetStride + 0, stores.Source + 5 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c51, stores.Target + 5 * stores.TargetStride + 16, stores.Source + 5 * stores.SourceStride + 16, alphas, betas, stores.Overwrite);
        Store(c60, stores.Target + 6 * stores.TargetStride + 0, stores.Source + 6 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c61, stores.Target + 6 * stores.TargetStride + 16, stores.Source + 6 * stores.SourceStride + 16, alphas, betas, stores.Overwrite);
        Store(c70, stores.Target + 7 * stores.TargetStride + 0, stores.Source + 7 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c71, stores.Target + 7 * stores.TargetStride + 16, stores.Source + 7 * stores.SourceStride + 16, alphas, betas, stores.Overwrite);
        if (!stores.Whole)
            GemmTile.StoreClipped(tile, Columns, c, ldc, rows, columns, store->Alpha, store->Beta, store->Overwrite, stores.Bias);
    }

    /// <summary>C = alpha·acc + beta·S as one FMA per lane (S: C itself, or the bias), or alpha·acc without reading either.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(Vector512<float> accumulator, float* c, float* source, Vector512<float> alphas, Vector512<float> betas, bool overwrite)
    {
        Vector512<float> result = overwrite ? alphas * accumulator : Avx512F.FusedMultiplyAdd(alphas, accumulator, betas * Vector512.Load(source));
        result.Store(c);
    }
}
