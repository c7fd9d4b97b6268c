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
        int depth, float* a, float* b, float* c, nint ldc, int rows, int columns, float alpha, float beta, bool overwrite, float* bias)
    {
        // C's rows from memory while the depth loop runs (see Avx2MicroKernel.PrefetchTile); 128 bytes a row here.
        for (int r = 0; r < rows; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 16);
            Sse.Prefetch0(c + r * ldc + 31);
        }

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

        if (rows == 8 && columns == 32)
        {
            Vector512<float> alphas = Vector512.Create(alpha), betas = Vector512.Create(beta);
            // What beta multiplies: C, or the bias row (the same for every row of the tile).
            float* source = bias == null ? c : bias;
            nint sourceStride = bias == null ? ldc : 0;
            Store(c00, c + 0 * ldc + 0, source + 0 * sourceStride + 0, alphas, betas, overwrite);
            Store(c01, c + 0 * ldc + 16, source + 0 * sourceStride + 16, alphas, betas, overwrite);
            Store(c10, c + 1 * ldc + 0, source + 1 * sourceStride + 0, alphas, betas, overwrite);
            Store(c11, c + 1 * ldc + 16, source + 1 * sourceStride + 16, alphas, betas, overwrite);
            Store(c20, c + 2 * ldc + 0, source + 2 * sourceStride + 0, alphas, betas, overwrite);
            Store(c21, c + 2 * ldc + 16, source + 2 * sourceStride + 16, alphas, betas, overwrite);
            Store(c30, c + 3 * ldc + 0, source + 3 * sourceStride + 0, alphas, betas, overwrite);
            Store(c31, c + 3 * ldc + 16, source + 3 * sourceStride + 16, alphas, betas, overwrite);
            Store(c40, c + 4 * ldc + 0, source + 4 * sourceStride + 0, alphas, betas, overwrite);
            Store(c41, c + 4 * ldc + 16, source + 4 * sourceStride + 16, alphas, betas, overwrite);
            Store(c50, c + 5 * ldc + 0, source + 5 * sourceStride + 0, alphas, betas, overwrite);
            Store(c51, c + 5 * ldc + 16, source + 5 * sourceStride + 16, alphas, betas, overwrite);
            Store(c60, c + 6 * ldc + 0, source + 6 * sourceStride + 0, alphas, betas, overwrite);
            Store(c61, c + 6 * ldc + 16, source + 6 * sourceStride + 16, alphas, betas, overwrite);
            Store(c70, c + 7 * ldc + 0, source + 7 * sourceStride + 0, alphas, betas, overwrite);
            Store(c71, c + 7 * ldc + 16, source + 7 * sourceStride + 16, alphas, betas, overwrite);
        }
        else
        {
            // Clipped edge tile: spill the accumulators and store only the part inside C.
            float* tile = stackalloc float[256];
            c00.Store(tile + 0);
            c01.Store(tile + 16);
            c10.Store(tile + 32);
            c11.Store(tile + 48);
            c20.Store(tile + 64);
            c21.Store(tile + 80);
            c30.Store(tile + 96);
            c31.Store(tile + 112);
            c40.Store(tile + 128);
            c41.Store(tile + 144);
            c50.Store(tile + 160);
            c51.Store(tile + 176);
            c60.Store(tile + 192);
            c61.Store(tile + 208);
            c70.Store(tile + 224);
            c71.Store(tile + 240);
            GemmTile.StoreClipped(tile, 32, c, ldc, rows, columns, alpha, beta, overwrite, bias);
        }
    }

    /// <summary>C = alpha·acc + beta·S as one FMA per lane (S: C itself, or the bias), or alpha·acc without reading either.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(Vector512<float> accumulator, float* c, float* source, Vector512<float> alphas, Vector512<float> betas, bool overwrite)
    {
        Vector512<float> result = overwrite ? alphas * accumulator : Avx512F.FusedMultiplyAdd(alphas, accumulator, betas * Vector512.Load(source));
        result.Store(c);
    }
}
