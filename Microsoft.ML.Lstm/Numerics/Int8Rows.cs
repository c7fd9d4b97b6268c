using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// The left operand of an int8 product (<see cref="Int8Kernel{TQuads, TFloat}"/>), each row rounded to small integers on
/// its own scale: row i of A becomes s_i·q_i with s_i = max_p |A[i, p]| / <see cref="Limit"/> and
/// q_i,p = round(A[i, p] / s_i) in [−63, 63] (to nearest, ties to even), so each value is off by at most s_i / 2,
/// 1/126 of the row's largest: the precision of PyTorch's and ONNX Runtime's dynamically quantized activations. Each
/// is stored as the byte q + <see cref="Offset"/>, in [1, 127]: the unsigned operand of VPMADDUBSW, whose pairs of
/// products (at most 2·127·127) then never saturate its 16 bits. The kernel starts each column's sum at
/// −<see cref="Offset"/>·Σ_p w_p, so what it sums is Σ_p q_p·w_p exactly; only the row's scale and the weights' are floats.
/// </summary>
/// <remarks>
/// Every width rounds each value to the same integer (the product by 1/s_i is one IEEE multiply everywhere), so the
/// quantized rows, and the products, are the same bits on any vector width. A row of zeros, or of values all below
/// 63 / float.MaxValue in magnitude (where 63 / max would overflow), has scale 0 and zeros; a row holding a NaN or an
/// infinity has scale NaN, so its products are NaN, as a float product's would be. Depths past the row's end, up to
/// whole quads, hold zeros (the byte <see cref="Offset"/>); the packed weights there are zero too.
/// </remarks>
internal static unsafe class Int8Rows
{
    /// <summary>The largest |q|: q + <see cref="Offset"/> stays below 128.</summary>
    public const int Limit = 63;

    /// <summary>What each stored byte adds to q, so that it is unsigned.</summary>
    public const int Offset = 64;

    /// <summary>Depth rounded up to whole quads of depths: the quantized row's length in bytes.</summary>
    public static int PaddedDepth(int depth) => (depth + 3) & ~3;

    /// <summary>
    /// Quantizes <paramref name="rows"/> rows of A [rows × depth] (row stride <paramref name="lda"/>) into
    /// <paramref name="target"/> (row stride <see cref="PaddedDepth"/> bytes) and their scales into <paramref name="scales"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quantize(int rows, int depth, float* a, nint lda, byte* target, float* scales)
    {
        int stride = PaddedDepth(depth);
        for (int i = 0; i < rows; i++)
        {
            var row = new ReadOnlySpan<float>(a + i * lda, depth);
            byte* q = target + (nint)i * stride;
            new Span<byte>(q + depth, stride - depth).Fill(Offset);
            float largest = LargestMagnitude(a + i * lda, depth);
            float inverse = Limit / largest;
            if (!float.IsFinite(largest) || !float.IsFinite(inverse) || largest == 0f)
            {
                // Zeros, or values so small (all below 63 / float.MaxValue) that Limit / largest overflows: zeros,
                // that close to each value. A NaN or an infinity: NaN products.
                new Span<byte>(q, depth).Fill(Offset);
                scales[i] = float.IsFinite(largest) ? 0f : float.NaN;
                continue;
            }
            scales[i] = largest / Limit;
            // |A[i, p]|·(Limit / largest) is at most Limit after one rounding, so the integers fit without a clamp.
            int p = 0;
            if (Avx2.IsSupported)
            {
                // cvtps2dq rounds to nearest even as the scalar tail does; the packs saturate, which values of at most 63
                // never reach; the offset is added to the bytes; a dword permutation undoes the packs' interleaving of
                // the two 128-bit halves. The same bytes as the portable loop below (what ARM64 runs, and the rest of
                // the row here), in fewer instructions.
                Vector256<float> scale = Vector256.Create(inverse);
                Vector256<int> order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
                Vector256<sbyte> offset = Vector256.Create((sbyte)Offset);
                for (; p + 32 <= depth; p += 32)
                {
                    float* source = a + i * lda + p;
                    Vector256<short> first = Avx2.PackSignedSaturate(
                        Avx.ConvertToVector256Int32(Vector256.Load(source) * scale), Avx.ConvertToVector256Int32(Vector256.Load(source + 8) * scale));
                    Vector256<short> second = Avx2.PackSignedSaturate(
                        Avx.ConvertToVector256Int32(Vector256.Load(source + 16) * scale), Avx.ConvertToVector256Int32(Vector256.Load(source + 24) * scale));
                    Vector256<sbyte> packed = Avx2.PermuteVar8x32(Avx2.PackSignedSaturate(first, second).AsInt32(), order).AsSByte();
                    (packed + offset).AsByte().Store(q + p);
                }
            }
            if (Vector128.IsHardwareAccelerated)
            {
                Vector128<float> scale = Vector128.Create(inverse);
                Vector128<int> offset = Vector128.Create(Offset);
                for (; p + 16 <= depth; p += 16)
                {
                    float* source = a + i * lda + p;
                    Vector128<int> first = Vector128.ConvertToInt32(Vector128.Round(Vector128.Load(source) * scale)) + offset;
                    Vector128<int> second = Vector128.ConvertToInt32(Vector128.Round(Vector128.Load(source + 4) * scale)) + offset;
                    Vector128<int> third = Vector128.ConvertToInt32(Vector128.Round(Vector128.Load(source + 8) * scale)) + offset;
                    Vector128<int> fourth = Vector128.ConvertToInt32(Vector128.Round(Vector128.Load(source + 12) * scale)) + offset;
                    Vector128.Narrow(Vector128.Narrow(first, second), Vector128.Narrow(third, fourth)).AsByte().Store(q + p);
                }
            }
            for (; p < depth; p++)
                q[p] = (byte)((int)MathF.Round(row[p] * inverse, MidpointRounding.ToEven) + Offset);
        }
    }

    /// <summary>
    /// max_p |x_p| over a row: NaN when the row holds a NaN, +∞ when it holds an infinity (and no NaN). One pass of
    /// vector maxima with a NaN mask beside them: the maximum instruction alone may drop a NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float LargestMagnitude(float* x, int length)
    {
        int p = 0;
        Vector128<float> maxima = Vector128<float>.Zero, nans = Vector128<float>.Zero;
        if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<float> wideMaxima = Vector256<float>.Zero, wideNans = Vector256<float>.Zero;
            for (; p + 8 <= length; p += 8)
            {
                Vector256<float> v = Vector256.Load(x + p);
                wideMaxima = Vector256.MaxNative(wideMaxima, Vector256.Abs(v));
                wideNans |= ~Vector256.Equals(v, v);
            }
            maxima = Vector128.MaxNative(wideMaxima.GetLower(), wideMaxima.GetUpper());
            nans = wideNans.GetLower() | wideNans.GetUpper();
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; p + 4 <= length; p += 4)
            {
                Vector128<float> v = Vector128.Load(x + p);
                maxima = Vector128.MaxNative(maxima, Vector128.Abs(v));
                nans |= ~Vector128.Equals(v, v);
            }
        }
        float largest = MathF.Max(MathF.Max(maxima[0], maxima[1]), MathF.Max(maxima[2], maxima[3]));
        bool nan = nans != Vector128<float>.Zero;
        for (; p < length; p++)
        {
            float v = x[p];
            nan |= float.IsNaN(v);
            largest = MathF.Max(largest, MathF.Abs(v));
        }
        return nan ? float.NaN : largest;
    }
}
