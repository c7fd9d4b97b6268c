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
        int depth, float* a, float* b, float* c, nint ldc, int rows, int columns, float alpha, float beta, bool overwrite, float* bias)
    {
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

        if (rows == 6 && columns == 8)
        {
            Vector128<float> alphas = Vector128.Create(alpha), betas = Vector128.Create(beta);
            // What beta multiplies: C, or the bias row (the same for every row of the tile).
            float* source = bias == null ? c : bias;
            nint sourceStride = bias == null ? ldc : 0;
            Store(c00, c + 0 * ldc + 0, source + 0 * sourceStride + 0, alphas, betas, overwrite);
            Store(c01, c + 0 * ldc + 4, source + 0 * sourceStride + 4, alphas, betas, overwrite);
            Store(c10, c + 1 * ldc + 0, source + 1 * sourceStride + 0, alphas, betas, overwrite);
            Store(c11, c + 1 * ldc + 4, source + 1 * sourceStride + 4, alphas, betas, overwrite);
            Store(c20, c + 2 * ldc + 0, source + 2 * sourceStride + 0, alphas, betas, overwrite);
            Store(c21, c + 2 * ldc + 4, source + 2 * sourceStride + 4, alphas, betas, overwrite);
            Store(c30, c + 3 * ldc + 0, source + 3 * sourceStride + 0, alphas, betas, overwrite);
            Store(c31, c + 3 * ldc + 4, source + 3 * sourceStride + 4, alphas, betas, overwrite);
            Store(c40, c + 4 * ldc + 0, source + 4 * sourceStride + 0, alphas, betas, overwrite);
            Store(c41, c + 4 * ldc + 4, source + 4 * sourceStride + 4, alphas, betas, overwrite);
            Store(c50, c + 5 * ldc + 0, source + 5 * sourceStride + 0, alphas, betas, overwrite);
            Store(c51, c + 5 * ldc + 4, source + 5 * sourceStride + 4, alphas, betas, overwrite);
        }
        else
        {
            // Clipped edge tile: spill the accumulators and store only the part inside C.
            float* tile = stackalloc float[48];
            c00.Store(tile + 0);
            c01.Store(tile + 4);
            c10.Store(tile + 8);
            c11.Store(tile + 12);
            c20.Store(tile + 16);
            c21.Store(tile + 20);
            c30.Store(tile + 24);
            c31.Store(tile + 28);
            c40.Store(tile + 32);
            c41.Store(tile + 36);
            c50.Store(tile + 40);
            c51.Store(tile + 44);
            GemmTile.StoreClipped(tile, 8, c, ldc, rows, columns, alpha, beta, overwrite, bias);
        }
    }

    /// <summary>C = alpha·acc + beta·S as one FMA per lane (S: C itself, or the bias), or alpha·acc without reading either.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(Vector128<float> accumulator, float* c, float* source, Vector128<float> alphas, Vector128<float> betas, bool overwrite)
    {
        Vector128<float> result = overwrite ? alphas * accumulator : MultiplyAdd.Vector(alphas, accumulator, betas * Vector128.Load(source));
        result.Store(c);
    }
}
