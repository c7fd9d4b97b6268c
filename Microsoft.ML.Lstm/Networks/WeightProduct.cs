using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A product by a weight matrix that repeats while the weights stay the same: h_{t−1}·W_hhᵀ forward and
/// ∂gates·W_hh backward at every time step, and X·W_ihᵀ at every inference call. For float the weight is packed
/// into the GEMM's panel layout once per change of the parameters and reused by every step, thread and call;
/// double (used only by gradient checks) multiplies directly. A network compressed for scoring multiplies by the
/// compressed copy of the weights (<see cref="WeightCompression"/>) instead.
/// </summary>
internal sealed class WeightProduct<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterStore<T> store;
    private readonly ParameterView weight;
    private readonly bool transpose;
    private readonly int depth, columns;
    private PackedMatrix? packed;
    private int packedVersion;
    private PackedWeight current; // float: the packed weights, or their compressed copy

    /// <summary>C = A·op(W) with op(W) [depth × columns]; W is stored [columns × depth] when <paramref name="transpose"/>.</summary>
    public WeightProduct(ParameterStore<T> store, ParameterView weight, bool transpose, int depth, int columns)
    {
        this.store = store;
        this.weight = weight;
        this.transpose = transpose;
        this.depth = depth;
        this.columns = columns;
    }

    private int WeightStride => transpose ? depth : columns;

    /// <summary>
    /// Packs the weights at the start of a pass, unless they have not changed since the last packing; when the store
    /// holds a compressed copy of them (<see cref="ParameterStore{T}.Compression"/>), takes that instead.
    /// </summary>
    public void Prepare()
    {
        if (typeof(T) != typeof(float))
            return;
        CompressedPackedMatrix? compressed = transpose ? store.Compression?.Find(weight) : null;
        if (compressed is not null && compressed.Depth == depth && compressed.Columns == columns)
        {
            current = new PackedWeight(compressed);
            return;
        }
        if (packed is null || packedVersion != store.Version)
        {
            ReadOnlySpan<float> values = MemoryMarshal.Cast<T, float>(store.Value(weight));
            if (packed is null)
                packed = Gemm.Pack(transpose, depth, columns, values, WeightStride);
            else
                Gemm.PackInto(packed, transpose, values, WeightStride);
            packedVersion = store.Version;
        }
        current = new PackedWeight(packed);
    }

    /// <summary>c [rows, columns] = a [rows, depth] · op(W) + beta · c, on the calling thread or, for a large product, <paramref name="threads"/>.</summary>
    public void Multiply(int rows, ReadOnlySpan<T> a, T beta, Span<T> c, int threads = 1)
    {
        if (rows == 0)
            return;
        if (typeof(T) == typeof(float))
        {
            current.Multiply(rows, MemoryMarshal.Cast<T, float>(a), float.CreateTruncating(beta), MemoryMarshal.Cast<T, float>(c), threads);
            return;
        }
        Gemm.Multiply(false, transpose, rows, columns, depth, T.One, a, depth, store.Value(weight), WeightStride, beta, c, columns, threads);
    }

    /// <summary>
    /// c [rows, columns] = a [rows, depth] · op(W) + bias, the bias added to every row: the bits of c filled with the bias
    /// and then <see cref="Multiply"/> with beta 1, without that pass over c for float weights, packed or compressed,
    /// whose products store over the bias (<see cref="PackedWeight.MultiplyAddingBias"/>).
    /// </summary>
    public void MultiplyAddingBias(int rows, ReadOnlySpan<T> a, ReadOnlySpan<T> bias, Span<T> c, int threads = 1)
    {
        if (typeof(T) == typeof(float) && rows > 0)
        {
            current.MultiplyAddingBias(rows, MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(bias), MemoryMarshal.Cast<T, float>(c), threads);
            return;
        }
        VectorMath.BroadcastRows(bias, rows, c);
        Multiply(rows, a, T.One, c, threads);
    }
}
