using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>Software prefetches of strided blocks, for access patterns the hardware prefetchers do not follow.</summary>
internal static unsafe class CachePrefetch
{
    /// <summary>
    /// Asks for the cache lines of <paramref name="rows"/> rows of <paramref name="width"/> floats (at most 16, one or
    /// two lines), row r starting at <paramref name="offset"/> + r·<paramref name="rowStride"/> of <paramref name="values"/>,
    /// into every cache level. A hint only: nothing is read, and nothing is done where the CPU has no prefetch instruction
    /// the runtime exposes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rows(ReadOnlySpan<float> values, int offset, int rowStride, int rows, int width)
    {
        if (!Sse.IsSupported || rows <= 0)
            return;
        // The last element read must lie inside the span; prefetching it is then a plain hint.
        if ((long)offset + (long)(rows - 1) * rowStride + width > values.Length || offset < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), "The prefetched block must lie inside the span.");
        float* first = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(values)) + offset;
        for (int r = 0; r < rows; r++)
        {
            Sse.Prefetch0(first);
            Sse.Prefetch0(first + width - 1);
            first += rowStride;
        }
    }
}
