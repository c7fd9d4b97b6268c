using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A float weight as a layer's products read it, op(W) [depth × columns]: packed into the GEMM's float panels, or
/// compressed for scoring (<see cref="WeightCompression"/>). The one place that picks the GEMM for a weight, for a whole
/// layer (<see cref="WeightProduct{T}"/>) and for a part of its units (<see cref="UnitSplitRecurrence"/>) alike.
/// </summary>
internal readonly struct PackedWeight
{
    private readonly PackedMatrix? packed;
    private readonly CompressedPackedMatrix? compressed;

    /// <summary>A weight in float panels.</summary>
    public PackedWeight(PackedMatrix packed) => this.packed = packed;

    /// <summary>A weight compressed to int8 or bfloat16.</summary>
    public PackedWeight(CompressedPackedMatrix compressed) => this.compressed = compressed;

    /// <summary>c [rows, columns] = a [rows, depth] · op(W) + beta · c, on the calling thread or, for a large product, <paramref name="threads"/>.</summary>
    public void Multiply(int rows, ReadOnlySpan<float> a, float beta, Span<float> c, int threads = 1)
    {
        if (compressed is not null)
            CompressedGemm.Multiply(rows, 1f, a, compressed.Depth, compressed, beta, c, compressed.Columns, threads);
        else
            Gemm.Multiply(false, rows, 1f, a, packed!.Depth, packed, beta, c, packed.Columns, threads);
    }

    /// <summary>
    /// c [rows, columns] = a [rows, depth] · op(W) + bias on every row: the bits of c filled with the bias and then
    /// <see cref="Multiply"/> with beta 1, the products storing over the bias instead of a pass that writes it into c.
    /// </summary>
    public void MultiplyAddingBias(int rows, ReadOnlySpan<float> a, ReadOnlySpan<float> bias, Span<float> c, int threads = 1)
    {
        if (compressed is not null)
            CompressedGemm.MultiplyAddingBias(rows, a, compressed.Depth, compressed, bias, c, compressed.Columns, threads);
        else
            Gemm.MultiplyAddingBias(rows, a, packed!.Depth, packed, bias, c, packed.Columns, threads);
    }
}
