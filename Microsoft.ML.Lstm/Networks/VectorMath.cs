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

    /// <summary>Every row of destination [rows, width] += bias.</summary>
    public static void AddToRows<T>(ReadOnlySpan<T> bias, int rows, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = destination.Slice(r * width, width);
            TensorPrimitives.Add(row, bias, row);
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
