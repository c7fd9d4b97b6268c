using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The 256-bit GEMM micro-kernel: a 6×16 tile of C held in 12 Vector256&lt;float&gt; accumulators.
/// Each step p broadcasts the 6 floats of A's column p and multiplies them into the 2 vectors of B's row p:
/// one FMA per product on an AVX2 CPU (all of which have FMA3), a multiply and an add on a CPU with AVX alone
/// (Sandy and Ivy Bridge), through <see cref="MultiplyAdd"/>; the same bits there as the 128-bit kernel's. A's floats
/// are broadcast from memory by AVX's own instruction (vbroadcastss ymm, m32), which <c>Vector256.Create</c> lowers to
/// only with AVX2 (with AVX alone, to four instructions).
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
        int depth, float* a, float* b, float* c, nint ldc, int rows, int columns, GemmStore* store, int column, float* tile)
    {
        GemmTile.Prefetch(c, ldc, rows, Columns);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < depth; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Avx.BroadcastScalarToVector256(a + 0);
            c00 = MultiplyAdd.Vector(a0, b0, c00);
            c01 = MultiplyAdd.Vector(a0, b1, c01);
            Vector256<float> a1 = Avx.BroadcastScalarToVector256(a + 1);
            c10 = MultiplyAdd.Vector(a1, b0, c10);
            c11 = MultiplyAdd.Vector(a1, b1, c11);
            Vector256<float> a2 = Avx.BroadcastScalarToVector256(a + 2);
            c20 = MultiplyAdd.Vector(a2, b0, c20);
            c21 = MultiplyAdd.Vector(a2, b1, c21);
            Vector256<float> a3 = Avx.BroadcastScalarToVector256(a + 3);
            c30 = MultiplyAdd.Vector(a3, b0, c30);
            c31 = MultiplyAdd.Vector(a3, b1, c31);
            Vector256<float> a4 = Avx.BroadcastScalarToVector256(a + 4);
            c40 = MultiplyAdd.Vector(a4, b0, c40);
            c41 = MultiplyAdd.Vector(a4, b1, c41);
            Vector256<float> a5 = Avx.BroadcastScalarToVector256(a + 5);
            c50 = MultiplyAdd.Vector(a5, b0, c50);
            c51 = MultiplyAdd.Vector(a5, b1, c51);
            a += 6;
            b += 16;
        }

        // One run of stores for every tile: a whole one into C (alpha·acc + beta·C, or beta·bias), a clipped one raw into the
        // caller's spill room (alpha 1, nothing read) and from there into the part inside C. Two runs behind a branch, or a
        // stackalloc here, had the JIT spill and reload every accumulator at every step when it compiles without profile
        // data (tiered compilation or tiered PGO switched off): three times slower.
        TileStores stores = GemmTile.StoresFor(store, c, ldc, rows, columns, Rows, Columns, column, tile);
        Vector256<float> alphas = Vector256.Create(stores.Alpha), betas = Vector256.Create(store->Beta);
        Store(c00, stores.Target + 0 * stores.TargetStride + 0, stores.Source + 0 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c01, stores.Target + 0 * stores.TargetStride + 8, stores.Source + 0 * stores.SourceStride + 8, alphas, betas, stores.Overwrite);
        Store(c10, stores.Target + 1 * stores.TargetStride + 0, stores.Source + 1 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c11, stores.Target + 1 * stores.TargetStride + 8, stores.Source + 1 * stores.SourceStride + 8, alphas, betas, stores.Overwrite);
        Store(c20, stores.Target + 2 * stores.TargetStride + 0, stores.Source + 2 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c21, stores.Target + 2 * stores.TargetStride + 8, stores.Source + 2 * stores.SourceStride + 8, alphas, betas, stores.Overwrite);
        Store(c30, stores.Target + 3 * stores.TargetStride + 0, stores.Source + 3 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c31, stores.Target + 3 * stores.TargetStride + 8, stores.Source + 3 * stores.SourceStride + 8, alphas, betas, stores.Overwrite);
        Store(c40, stores.Target + 4 * stores.TargetStride + 0, stores.Source + 4 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c41, stores.Target + 4 * stores.TargetStride + 8, stores.Source + 4 * stores.SourceStride + 8, alphas, betas, stores.Overwrite);
        Store(c50, stores.Target + 5 * stores.TargetStride + 0, stores.Source + 5 * stores.SourceStride + 0, alphas, betas, stores.Overwrite);
        Store(c51, stores.Target + 5 * stores.TargetStride + 8, stores.Source + 5 * stores.SourceStride + 8, alphas, betas, stores.Overwrite);
        if (!stores.Whole)
            GemmTile.StoreClipped(tile, Columns, c, ldc, rows, columns, store->Alpha, store->Beta, store->Overwrite, stores.Bias);
    }

    /// <summary>C = alpha·acc + beta·S as one FMA per lane where the CPU fuses (S: C itself, or the bias), or alpha·acc without reading either.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(Vector256<float> accumulator, float* c, float* source, Vector256<float> alphas, Vector256<float> betas, bool overwrite)
    {
        Vector256<float> result = overwrite ? alphas * accumulator : MultiplyAdd.Vector(alphas, accumulator, betas * Vector256.Load(source));
        result.Store(c);
    }
}
