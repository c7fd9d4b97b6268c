using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The left operand of an int8 product (<see cref="Int8Kernel{TPairs, TFloat}"/>), each row rounded to 16-bit
/// integers on its own scale: row i of A becomes s_i·q_i with s_i = max_p |A[i, p]| / <see cref="Limit"/> and
/// q_i,p = round(A[i, p] / s_i) (to nearest, ties to even), so each value is off by at most s_i / 2, 2⁻¹⁶ of the row's
/// largest. The integers multiply the int8 weights exactly; only the row's scale and the weights' are floats.
/// </summary>
/// <remarks>
/// Every width rounds each value to the same integer (the product by 1/s_i is one IEEE multiply everywhere), so the
/// quantized rows, and the products, are the same bits on any vector width. A row of zeros, or of values all below
/// 9.6·10⁻³⁵ in magnitude (where 32767 / max would overflow), has scale 0 and zeros; a row holding a NaN or an infinity has
/// scale NaN, so its products are NaN, as a float product's would be.
/// </remarks>
internal static unsafe class Int16Rows
{
    /// <summary>The largest |q|: the pair of products VPMADDWD sums then stays below 2²⁴ (127·32767·2), and a depth block's sum below 2³¹.</summary>
    public const int Limit = short.MaxValue;

    /// <summary>Depth rounded up to whole pairs: the quantized row's length (an odd depth ends in a zero).</summary>
    public static int PaddedDepth(int depth) => (depth + 1) & ~1;

    /// <summary>
    /// Quantizes <paramref name="rows"/> rows of A [rows × depth] (row stride <paramref name="lda"/>) into
    /// <paramref name="target"/> (row stride <see cref="PaddedDepth"/>) and their scales into <paramref name="scales"/>.
    /// </summary>
    public static void Quantize(int rows, int depth, float* a, nint lda, short* target, float* scales)
    {
        int stride = PaddedDepth(depth);
        for (int i = 0; i < rows; i++)
        {
            var row = new ReadOnlySpan<float>(a + i * lda, depth);
            short* q = target + (nint)i * stride;
            if (stride != depth)
                q[depth] = 0;
            float largest = MathF.Abs(TensorPrimitives.MaxMagnitude(row));
            float inverse = Limit / largest;
            if (!float.IsFinite(largest) || !float.IsFinite(inverse) || largest == 0f)
            {
                // Zeros, or values so small (all below 32767 / float.MaxValue ≈ 9.6e-35) that Limit / largest
                // overflows: zeros, that close to each value. A NaN or an infinity: NaN products.
                new Span<short>(q, depth).Clear();
                scales[i] = float.IsFinite(largest) ? 0f : float.NaN;
                continue;
            }
            scales[i] = largest / Limit;
            // |A[i, p]|·(Limit / largest) is at most Limit after one rounding, so the integers fit without a clamp.
            int p = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> scale = Vector256.Create(inverse);
                for (; p + 16 <= depth; p += 16)
                {
                    Vector256<int> low = Vector256.ConvertToInt32(Vector256.Round(Vector256.Load(a + i * lda + p) * scale));
                    Vector256<int> high = Vector256.ConvertToInt32(Vector256.Round(Vector256.Load(a + i * lda + p + 8) * scale));
                    Vector256.Narrow(low, high).Store(q + p);
                }
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Vector128<float> scale = Vector128.Create(inverse);
                for (; p + 8 <= depth; p += 8)
                {
                    Vector128<int> low = Vector128.ConvertToInt32(Vector128.Round(Vector128.Load(a + i * lda + p) * scale));
                    Vector128<int> high = Vector128.ConvertToInt32(Vector128.Round(Vector128.Load(a + i * lda + p + 4) * scale));
                    Vector128.Narrow(low, high).Store(q + p);
                }
            }
            for (; p < depth; p++)
                q[p] = (short)MathF.Round(row[p] * inverse, MidpointRounding.ToEven);
        }
    }
}
