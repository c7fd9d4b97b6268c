using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>Small elementwise helpers on spans, vectorised through TensorPrimitives for float and double.</summary>
internal static class VectorMath
{
    /// <summary>destination += source.</summary>
    public static void Add<T>(ReadOnlySpan<T> source, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Add(destination, source, destination);

    /// <summary>destination += Σ over rows of source [rows, width]: a bias gradient.</summary>
    public static void AddColumnSums<T>(ReadOnlySpan<T> source, int rows, int width, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(destination, source.Slice(r * width, width), destination);
    }

    /// <summary>
    /// <see cref="AddColumnSums{T}(ReadOnlySpan{T}, int, int, Span{T})"/> on up to <paramref name="threads"/> threads for a
    /// large source (the bias gradients over all steps of a recurrent layer), each thread summing its own columns over
    /// every row in the same order, so the sums are the same bits whatever the thread count.
    /// </summary>
    public static unsafe void AddColumnSums<T>(ReadOnlySpan<T> source, int rows, int width, Span<T> destination, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Columns go out in blocks of 64 (whole cache lines); below 2¹⁸ values the hand-off costs more than it saves.
        int parts = Math.Min(threads, width / 64);
        if (parts <= 1 || (long)rows * width < 1 << 18)
        {
            AddColumnSums(source, rows, width, destination);
            return;
        }

        fixed (T* sourcePointer = source)
        fixed (T* destinationPointer = destination)
        {
            var pass = new ColumnSums<T>(new(sourcePointer, rows * width), new(destinationPointer, width), rows, width, parts);
            Numerics.ParallelParts.Run(parts, pass, static (part, pass) => pass.Run(part));
        }
    }

    /// <summary>Every row of destination [rows, width] = bias.</summary>
    public static void BroadcastRows<T>(ReadOnlySpan<T> bias, int rows, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = bias.Length;
        for (int r = 0; r < rows; r++)
            bias.CopyTo(destination.Slice(r * width, width));
    }
}
