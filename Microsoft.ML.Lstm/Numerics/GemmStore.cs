namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// How a kernel folds its sums into C for one depth block: alpha·acc (<see cref="Overwrite"/>, C not read),
/// fma(alpha, acc, beta·C), or, with a <see cref="Bias"/> (n values from the call's first column on), fma(alpha, acc,
/// beta·bias) with beta 1: the bits C gets when it holds the bias. Shared by the float few-rows kernels and the int8
/// kernel, which read it by address after their loops.
/// </summary>
internal readonly unsafe struct GemmStore(float alpha, float beta, bool overwrite, float* bias)
{
    /// <summary>What the sums are multiplied by (with the column's scale, for int8).</summary>
    public float Alpha { get; } = alpha;

    /// <summary>What C, or the bias, is multiplied by before it is added.</summary>
    public float Beta { get; } = beta;

    /// <summary>Whether C is written without being read (the first block when beta is 0 and there is no bias).</summary>
    public bool Overwrite { get; } = overwrite;

    /// <summary>The bias the first block stores over, or null.</summary>
    public float* Bias { get; } = bias;

    /// <summary>
    /// The store of depth block <paramref name="pc"/> of a product C = alpha·A·B + beta·C (or + bias, when
    /// <paramref name="bias"/> is not null): the first block applies beta, or stores over the bias with beta 1; later
    /// blocks add onto what it wrote (beta 1).
    /// </summary>
    public static GemmStore ForDepthBlock(int pc, float alpha, float beta, float* bias)
    {
        bool first = pc == 0;
        return new GemmStore(
            alpha, first && bias == null ? beta : 1f, first && bias == null && beta == 0f, first ? bias : null);
    }

    /// <summary>Each of C's <paramref name="rows"/> rows (<paramref name="ldc"/> apart) ← <paramref name="row"/>: C holding a bias before a product adds onto it.</summary>
    public static void FillRows(ReadOnlySpan<float> row, int rows, float* c, nint ldc)
    {
        for (int i = 0; i < rows; i++)
            row.CopyTo(new Span<float>(c + i * ldc, row.Length));
    }
}
