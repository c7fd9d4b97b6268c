using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// AVX2 + FMA3 GEMM micro-kernel: a 6×16 tile of C held in 12 Vector256&lt;float&gt; accumulators.
/// Each step p broadcasts the 6 floats of A's column p and multiplies them into the 2 vectors of B's row p.
/// </summary>
internal struct Avx2MicroKernel : IGemmMicroKernel
{
    /// <inheritdoc/>
    public static int Rows => 6;

    /// <inheritdoc/>
    public static int Columns => 16;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(
        int depth, float* a, float* b, float* c, nint ldc, int rows, int columns, float alpha, float beta, bool overwrite, float* bias)
    {
        PrefetchTile(c, ldc, rows);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < depth; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }

        if (rows == 6 && columns == 16)
        {
            Vector256<float> alphas = Vector256.Create(alpha), betas = Vector256.Create(beta);
            // What beta multiplies: C, or the bias row (the same for every row of the tile).
            float* source = bias == null ? c : bias;
            nint sourceStride = bias == null ? ldc : 0;
            Store(c00, c + 0 * ldc + 0, source + 0 * sourceStride + 0, alphas, betas, overwrite);
            Store(c01, c + 0 * ldc + 8, source + 0 * sourceStride + 8, alphas, betas, overwrite);
            Store(c10, c + 1 * ldc + 0, source + 1 * sourceStride + 0, alphas, betas, overwrite);
            Store(c11, c + 1 * ldc + 8, source + 1 * sourceStride + 8, alphas, betas, overwrite);
            Store(c20, c + 2 * ldc + 0, source + 2 * sourceStride + 0, alphas, betas, overwrite);
            Store(c21, c + 2 * ldc + 8, source + 2 * sourceStride + 8, alphas, betas, overwrite);
            Store(c30, c + 3 * ldc + 0, source + 3 * sourceStride + 0, alphas, betas, overwrite);
            Store(c31, c + 3 * ldc + 8, source + 3 * sourceStride + 8, alphas, betas, overwrite);
            Store(c40, c + 4 * ldc + 0, source + 4 * sourceStride + 0, alphas, betas, overwrite);
            Store(c41, c + 4 * ldc + 8, source + 4 * sourceStride + 8, alphas, betas, overwrite);
            Store(c50, c + 5 * ldc + 0, source + 5 * sourceStride + 0, alphas, betas, overwrite);
            Store(c51, c + 5 * ldc + 8, source + 5 * sourceStride + 8, alphas, betas, overwrite);
        }
        else
        {
            // Clipped edge tile: spill the accumulators and store only the part inside C.
            float* tile = stackalloc float[96];
            c00.Store(tile + 0);
            c01.Store(tile + 8);
            c10.Store(tile + 16);
            c11.Store(tile + 24);
            c20.Store(tile + 32);
            c21.Store(tile + 40);
            c30.Store(tile + 48);
            c31.Store(tile + 56);
            c40.Store(tile + 64);
            c41.Store(tile + 72);
            c50.Store(tile + 80);
            c51.Store(tile + 88);
            GemmTile.StoreClipped(tile, 16, c, ldc, rows, columns, alpha, beta, overwrite, bias);
        }
    }

    /// <summary>
    /// Asks for the tile's rows of C (both ends of each row's 64 bytes, which straddle two cache lines when C is not
    /// 64-byte aligned) while the depth loop runs. The recurrent step adds into its slice of the gates buffer, which
    /// the input projection wrote tens of megabytes earlier: C's rows are a page apart, too many streams for the
    /// hardware prefetchers, so without this every tile waited for memory at its store (a fifth of the kernel's time
    /// in lstm-a inference).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void PrefetchTile(float* c, nint ldc, int rows)
    {
        for (int r = 0; r < rows; r++)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 15);
            c += ldc;
        }
    }

    /// <summary>C = alpha·acc + beta·S as one FMA per lane (S: C itself, or the bias), or alpha·acc without reading either.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(Vector256<float> accumulator, float* c, float* source, Vector256<float> alphas, Vector256<float> betas, bool overwrite)
    {
        Vector256<float> result = overwrite ? alphas * accumulator : Fma.MultiplyAdd(alphas, accumulator, betas * Vector256.Load(source));
        result.Store(c);
    }
}
