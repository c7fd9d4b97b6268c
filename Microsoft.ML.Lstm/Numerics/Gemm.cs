using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// General matrix multiply on row-major spans: C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C,
/// where op(X) is X or Xᵀ. A transposed A is stored [k×m] with row stride <c>lda</c>; a transposed B
/// is stored [n×k] with row stride <c>ldb</c>.
/// </summary>
/// <remarks>
/// For float the product runs on <see cref="GemmDriver{TKernel}"/> with the widest micro-kernel the CPU has
/// (AVX-512F 8×32, AVX2+FMA 6×16, else portable Vector128 6×8), blocked for this processor (<see cref="GemmTuning.Current"/>);
/// double (gradient checks only) runs the reference loop.
/// Work is split over blocks of C only, never over k, so every element of C is summed in the same order
/// whatever the thread count: results are bit-identical for 1 or many threads.
/// </remarks>
internal static class Gemm
{
    /// <summary>Computes C = alpha · op(A) · op(B) + beta · C. When beta is zero, C is overwritten (NaNs in C do not propagate).</summary>
    public static void Multiply<T>(
        bool transposeA, bool transposeB, int m, int n, int k,
        T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb,
        T beta, Span<T> c, int ldc, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckArguments(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (typeof(T) == typeof(float))
        {
            MultiplySingle(
                BestKernel, transposeA, transposeB, m, n, k, Unsafe.BitCast<T, float>(alpha),
                MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb, null,
                Unsafe.BitCast<T, float>(beta), MemoryMarshal.Cast<T, float>(c), ldc, threads, GemmTuning.Current);
            return;
        }

        ReferenceMultiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// Computes C₁ = alpha · op(A) · B₁ + beta · C₁ and C₂ = alpha · op(A) · B₂ + beta · C₂ for row-major B₁ [k×n₁] and
    /// B₂ [k×n₂] sharing A, packing each block of A once for both (the weight gradients ∂gatesᵀ·X and ∂gatesᵀ·H_prev);
    /// bit-identical to the two <see cref="Multiply{T}"/> calls. C₁ and C₂ must not overlap each other, A or the B's.
    /// </summary>
    public static void MultiplyPair<T>(
        bool transposeA, int m, int n1, int n2, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b1, int ldb1, Span<T> c1, int ldc1, ReadOnlySpan<T> b2, int ldb2, Span<T> c2, int ldc2,
        T beta, int threads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckArguments(transposeA, false, m, n1, k, a.Length, lda, b1.Length, ldb1, c1.Length, ldc1);
        CheckArguments(transposeA, false, m, n2, k, a.Length, lda, b2.Length, ldb2, c2.Length, ldc2);
        if (typeof(T) == typeof(float))
        {
            MultiplyPairSingle(
                BestKernel, transposeA, m, n1, n2, k, Unsafe.BitCast<T, float>(alpha), MemoryMarshal.Cast<T, float>(a), lda,
                MemoryMarshal.Cast<T, float>(b1), ldb1, MemoryMarshal.Cast<T, float>(c1), ldc1,
                MemoryMarshal.Cast<T, float>(b2), ldb2, MemoryMarshal.Cast<T, float>(c2), ldc2,
                Unsafe.BitCast<T, float>(beta), threads, GemmTuning.Current);
            return;
        }

        ReferenceMultiply(transposeA, false, m, n1, k, alpha, a, lda, b1, ldb1, beta, c1, ldc1);
        ReferenceMultiply(transposeA, false, m, n2, k, alpha, a, lda, b2, ldb2, beta, c2, ldc2);
    }

    /// <summary><see cref="MultiplyPair{T}"/> for float on the named micro-kernel; <paramref name="tuning"/> as in the other overloads.</summary>
    internal static void MultiplyPair(
        GemmKernel kernel, bool transposeA, int m, int n1, int n2, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b1, int ldb1, Span<float> c1, int ldc1, ReadOnlySpan<float> b2, int ldb2, Span<float> c2, int ldc2,
        float beta, int threads = 1, GemmTuning? tuning = null)
    {
        CheckKernel(kernel);
        tuning?.Validate();
        CheckArguments(transposeA, false, m, n1, k, a.Length, lda, b1.Length, ldb1, c1.Length, ldc1);
        CheckArguments(transposeA, false, m, n2, k, a.Length, lda, b2.Length, ldb2, c2.Length, ldc2);
        MultiplyPairSingle(kernel, transposeA, m, n1, n2, k, alpha, a, lda, b1, ldb1, c1, ldc1, b2, ldb2, c2, ldc2, beta, threads, tuning ?? GemmTuning.Current);
    }

    /// <summary>
    /// Computes C[m×n] = alpha · op(A) · B + beta · C with B [k×n] packed beforehand by <see cref="Pack(bool, int, int, ReadOnlySpan{float}, int)"/>;
    /// bit-identical to the unpacked <see cref="Multiply{T}"/> on the same operands.
    /// </summary>
    public static void Multiply(
        bool transposeA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc, int threads = 1) =>
        Multiply(BestKernel, transposeA, m, alpha, a, lda, b, beta, c, ldc, threads);

    /// <summary>
    /// C[m×n] = A · B + bias, the n values of <paramref name="bias"/> added to every row, with B packed beforehand: the
    /// bits of C filled with the bias row by row and then <see cref="Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int, int)"/>
    /// with alpha 1 and beta 1, without that pass over C: the first depth block stores over the bias where it would
    /// read C (a layer's input projection writes the gates of every step, far larger than the caches, and a GRU's
    /// recurrent projection a step's).
    /// </summary>
    public static void MultiplyAddingBias(int m, ReadOnlySpan<float> a, int lda, PackedMatrix b, ReadOnlySpan<float> bias, Span<float> c, int ldc, int threads = 1) =>
        MultiplyAddingBias(BestKernel, m, a, lda, b, bias, c, ldc, threads);

    /// <summary><see cref="MultiplyAddingBias(int, ReadOnlySpan{float}, int, PackedMatrix, ReadOnlySpan{float}, Span{float}, int, int)"/> on the named micro-kernel, B packed for it.</summary>
    internal static unsafe void MultiplyAddingBias(
        GemmKernel kernel, int m, ReadOnlySpan<float> a, int lda, PackedMatrix b, ReadOnlySpan<float> bias, Span<float> c, int ldc, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckKernel(kernel);
        if (b.PanelWidth != PanelWidthOf(kernel))
            throw new ArgumentException($"B was packed for panels of {b.PanelWidth} columns, the {kernel} kernel uses {PanelWidthOf(kernel)}.", nameof(b));
        if (bias.Length != b.Columns)
            throw new ArgumentException($"The bias holds {bias.Length} values; the product has {b.Columns} columns.", nameof(bias));
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        CheckOperand("A", m, b.Depth, a.Length, lda);
        CheckOperand("C", m, b.Columns, c.Length, ldc);
        fixed (float* biasPointer = bias)
            MultiplySingleOverBias(kernel, false, false, m, b.Columns, b.Depth, 1f, a, lda, default, 0, b, 1f, c, ldc, threads, GemmTuning.Current, biasPointer);
    }

    /// <summary>
    /// <see cref="Multiply{T}"/> for float on the named micro-kernel rather than the widest the CPU has
    /// (tests cover every kernel this way), the kernel must be <see cref="IsSupported"/>; with
    /// <paramref name="tuning"/> in place of <see cref="GemmTuning.Current"/> when given.
    /// </summary>
    internal static void Multiply(
        GemmKernel kernel, bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int threads = 1, GemmTuning? tuning = null)
    {
        CheckKernel(kernel);
        tuning?.Validate();
        CheckArguments(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        MultiplySingle(kernel, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, null, beta, c, ldc, threads, tuning ?? GemmTuning.Current);
    }

    /// <summary>The packed-B multiply on the named micro-kernel, B packed for that kernel; <paramref name="tuning"/> as above.</summary>
    internal static void Multiply(
        GemmKernel kernel, bool transposeA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc, int threads = 1, GemmTuning? tuning = null)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckKernel(kernel);
        tuning?.Validate();
        if (b.PanelWidth != PanelWidthOf(kernel))
            throw new ArgumentException($"B was packed for panels of {b.PanelWidth} columns, the {kernel} kernel uses {PanelWidthOf(kernel)}.", nameof(b));
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        CheckOperand("A", transposeA ? b.Depth : m, transposeA ? m : b.Depth, a.Length, lda);
        CheckOperand("C", m, b.Columns, c.Length, ldc);
        MultiplySingle(kernel, transposeA, false, m, b.Columns, b.Depth, alpha, a, lda, default, 0, b, beta, c, ldc, threads, tuning ?? GemmTuning.Current);
    }

    /// <summary>Packs op(B) [k×n] (B stored [n×k] when <paramref name="transposeB"/>) for repeated multiplies.</summary>
    public static PackedMatrix Pack(bool transposeB, int k, int n, ReadOnlySpan<float> b, int ldb) =>
        Pack(BestKernel, transposeB, k, n, b, ldb);

    /// <summary>Packs op(B) for the named micro-kernel (see <see cref="Multiply(GemmKernel, bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int, int, GemmTuning?)"/>).</summary>
    internal static PackedMatrix Pack(GemmKernel kernel, bool transposeB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        CheckKernel(kernel);
        var packed = new PackedMatrix(k, n, PanelWidthOf(kernel));
        PackInto(packed, transposeB, b, ldb);
        return packed;
    }

    /// <summary>Repacks op(B) into an existing <see cref="PackedMatrix"/> of the same k×n, allocating nothing (weights after an optimizer step).</summary>
    public static unsafe void PackInto(PackedMatrix destination, bool transposeB, ReadOnlySpan<float> b, int ldb)
    {
        ArgumentNullException.ThrowIfNull(destination);
        int k = destination.Depth, n = destination.Columns;
        CheckOperand("B", transposeB ? n : k, transposeB ? k : n, b.Length, ldb);
        if (k == 0 || n == 0)
            return;
        fixed (float* bPointer = b)
        {
            // The layout depends only on the panel width, which names the kernel B was packed for.
            switch (KernelOf(destination.PanelWidth))
            {
                case GemmKernel.Avx512:
                    GemmDriver<Avx512MicroKernel>.Pack(transposeB, bPointer, ldb, destination);
                    break;
                case GemmKernel.Avx2:
                    GemmDriver<Avx2MicroKernel>.Pack(transposeB, bPointer, ldb, destination);
                    break;
                default:
                    GemmDriver<Vector128MicroKernel>.Pack(transposeB, bPointer, ldb, destination);
                    break;
            }
        }
    }

    /// <summary>KC: the depth over which each element of C is one FMA chain before it is folded into C (every kernel's).</summary>
    internal const int DepthBlock = GemmDriver<Vector128MicroKernel>.DepthBlock;

    /// <summary>The widest micro-kernel this CPU runs; what the overloads without a kernel use.</summary>
    internal static GemmKernel BestKernel { get; } =
        Avx512F.IsSupported ? GemmKernel.Avx512
        : Avx.IsSupported ? GemmKernel.Avx2
        : GemmKernel.Vector128;

    /// <summary>NR of the micro-kernel this CPU runs; the panel width <see cref="PackedMatrix"/> is packed to.</summary>
    internal static int PanelWidth => PanelWidthOf(BestKernel);

    /// <summary>Whether this CPU can run <paramref name="kernel"/> in hardware.</summary>
    internal static bool IsSupported(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Avx512 => Avx512F.IsSupported,
        GemmKernel.Avx2 => Avx.IsSupported,
        GemmKernel.Vector128 => true,
        _ => false,
    };

    /// <summary>NR of <paramref name="kernel"/>.</summary>
    internal static int PanelWidthOf(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Avx512 => Avx512MicroKernel.Columns,
        GemmKernel.Avx2 => Avx2MicroKernel.Columns,
        _ => Vector128MicroKernel.Columns,
    };

    private static GemmKernel KernelOf(int panelWidth) =>
        panelWidth == Avx512MicroKernel.Columns ? GemmKernel.Avx512
        : panelWidth == Avx2MicroKernel.Columns ? GemmKernel.Avx2
        : GemmKernel.Vector128;

    private static void CheckKernel(GemmKernel kernel)
    {
        if (!IsSupported(kernel))
            throw new PlatformNotSupportedException($"This CPU cannot run the {kernel} GEMM kernel.");
    }

    private static unsafe void MultiplySingle(
        GemmKernel kernel, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, PackedMatrix? packedB,
        float beta, Span<float> c, int ldc, int threads, GemmTuning tuning) =>
        MultiplySingleOverBias(kernel, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, packedB, beta, c, ldc, threads, tuning, null);

    /// <summary>The single product, storing over <paramref name="bias"/> instead of reading C when it is not null (see <see cref="GemmDriver{TKernel}.Multiply"/>).</summary>
    private static unsafe void MultiplySingleOverBias(
        GemmKernel kernel, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, PackedMatrix? packedB,
        float beta, Span<float> c, int ldc, int threads, GemmTuning tuning, float* bias)
    {
        fixed (float* aPointer = a)
        fixed (float* bPointer = b)
        fixed (float* cPointer = c)
        {
            switch (kernel)
            {
                case GemmKernel.Avx512:
                    GemmDriver<Avx512MicroKernel>.Multiply(transposeA, transposeB, m, n, k, alpha, aPointer, lda, bPointer, ldb, packedB, beta, cPointer, ldc, threads, tuning, bias);
                    break;
                case GemmKernel.Avx2:
                    GemmDriver<Avx2MicroKernel>.Multiply(transposeA, transposeB, m, n, k, alpha, aPointer, lda, bPointer, ldb, packedB, beta, cPointer, ldc, threads, tuning, bias);
                    break;
                default:
                    GemmDriver<Vector128MicroKernel>.Multiply(transposeA, transposeB, m, n, k, alpha, aPointer, lda, bPointer, ldb, packedB, beta, cPointer, ldc, threads, tuning, bias);
                    break;
            }
        }
    }

    private static unsafe void MultiplyPairSingle(
        GemmKernel kernel, bool transposeA, int m, int n1, int n2, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b1, int ldb1, Span<float> c1, int ldc1, ReadOnlySpan<float> b2, int ldb2, Span<float> c2, int ldc2,
        float beta, int threads, GemmTuning tuning)
    {
        fixed (float* aPointer = a)
        fixed (float* b1Pointer = b1)
        fixed (float* c1Pointer = c1)
        fixed (float* b2Pointer = b2)
        fixed (float* c2Pointer = c2)
        {
            switch (kernel)
            {
                case GemmKernel.Avx512:
                    GemmDriver<Avx512MicroKernel>.MultiplyPair(transposeA, m, n1, n2, k, alpha, aPointer, lda, b1Pointer, ldb1, c1Pointer, ldc1, b2Pointer, ldb2, c2Pointer, ldc2, beta, threads, tuning);
                    break;
                case GemmKernel.Avx2:
                    GemmDriver<Avx2MicroKernel>.MultiplyPair(transposeA, m, n1, n2, k, alpha, aPointer, lda, b1Pointer, ldb1, c1Pointer, ldc1, b2Pointer, ldb2, c2Pointer, ldc2, beta, threads, tuning);
                    break;
                default:
                    GemmDriver<Vector128MicroKernel>.MultiplyPair(transposeA, m, n1, n2, k, alpha, aPointer, lda, b1Pointer, ldb1, c1Pointer, ldc1, b2Pointer, ldb2, c2Pointer, ldc2, beta, threads, tuning);
                    break;
            }
        }
    }

    /// <summary>The textbook triple loop; the oracle the fast kernels are tested against.</summary>
    internal static void ReferenceMultiply<T>(
        bool transposeA, bool transposeB, int m, int n, int k,
        T alpha, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb,
        T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T aValue = transposeA ? a[p * lda + i] : a[i * lda + p];
                    T bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += aValue * bValue;
                }
                ref T target = ref c[i * ldc + j];
                target = beta == T.Zero ? alpha * sum : alpha * sum + beta * target;
            }
        }
    }

    internal static void CheckArguments(
        bool transposeA, bool transposeB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Matrix sizes must be non-negative (m={m}, n={n}, k={k}).");
        int aRows = transposeA ? k : m, aColumns = transposeA ? m : k;
        int bRows = transposeB ? n : k, bColumns = transposeB ? k : n;
        CheckOperand("A", aRows, aColumns, aLength, lda);
        CheckOperand("B", bRows, bColumns, bLength, ldb);
        CheckOperand("C", m, n, cLength, ldc);
    }

    /// <summary>Checks that a row-major operand of <paramref name="rows"/> × <paramref name="columns"/> with row stride <paramref name="stride"/> fits in <paramref name="length"/> elements.</summary>
    internal static void CheckOperand(string name, int rows, int columns, int length, int stride)
    {
        if (rows == 0 || columns == 0)
            return;
        if (stride < columns)
            throw new ArgumentException($"Row stride of {name} ({stride}) is smaller than its {columns} columns.");
        if ((long)(rows - 1) * stride + columns > length)
            throw new ArgumentException($"{name} needs {(long)(rows - 1) * stride + columns} elements for {rows}×{columns} with stride {stride}, but has {length}.");
    }
}
