namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A register-blocked GEMM micro-kernel: multiplies a packed A micro-panel [depth × Rows] by a packed
/// B micro-panel [depth × Columns] and folds the product into a tile of C.
/// </summary>
/// <remarks>
/// Implementations are structs so that <see cref="GemmDriver{TKernel}"/>, being generic over them, is
/// compiled once per kernel with <see cref="Rows"/> and <see cref="Columns"/> folded to constants.
/// Every element of the tile is a single fused multiply-add chain over p = 0..depth−1 followed by
/// C = alpha·acc + beta·C (as one FMA), whether the tile is full or clipped at an edge, so an element's value
/// does not depend on where it sits.
/// </remarks>
internal interface IGemmMicroKernel
{
    /// <summary>MR: rows of C per tile (A micro-panels are MR wide).</summary>
    static abstract int Rows { get; }

    /// <summary>NR: columns of C per tile (B micro-panels are NR wide).</summary>
    static abstract int Columns { get; }

    /// <summary>
    /// C[rows × columns] = alpha · (Aₚ · Bₚ) + beta · C as <paramref name="store"/> says for this depth block
    /// (<see cref="GemmStore"/>: or alpha · (Aₚ · Bₚ) when it overwrites, C then never read; or with beta multiplying
    /// its bias from C's <paramref name="column"/> on in C's place, the same for every row: the bits C gets when it holds
    /// the bias). a holds depth groups of Rows floats, b depth groups of Columns floats, both zero-padded, so only the
    /// store is clipped to rows × columns; a clipped tile passes through <paramref name="tile"/>, the caller's room for
    /// Rows × Columns floats (a kernel that made its own with stackalloc was compiled with its accumulators in memory).
    /// </summary>
    static abstract unsafe void Run(
        int depth, float* a, float* b, float* c, nint ldc, int rows, int columns, GemmStore* store, int column, float* tile);
}
