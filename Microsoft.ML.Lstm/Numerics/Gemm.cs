using System.Numerics;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// General matrix multiply on row-major spans: C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C,
/// where op(X) is X or Xᵀ. A transposed A is stored [k×m] with row stride <c>lda</c>; a transposed B
/// is stored [n×k] with row stride <c>ldb</c>.
/// </summary>
/// <remarks>
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
        ReferenceMultiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
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

    private static void CheckOperand(string name, int rows, int columns, int length, int stride)
    {
        if (rows == 0 || columns == 0)
            return;
        if (stride < columns)
            throw new ArgumentException($"Row stride of {name} ({stride}) is smaller than its {columns} columns.");
        if ((long)(rows - 1) * stride + columns > length)
            throw new ArgumentException($"{name} needs {(long)(rows - 1) * stride + columns} elements for {rows}×{columns} with stride {stride}, but has {length}.");
    }
}
