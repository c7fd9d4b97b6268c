using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>One thread's columns of <see cref="VectorMath.AddColumnSums{T}(ReadOnlySpan{T}, int, int, Span{T}, int)"/>.</summary>
internal readonly record struct ColumnSums<T>(PinnedSpan<T> Source, PinnedSpan<T> Destination, int Rows, int Width, int Parts)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Adds rows 0 … Rows − 1 of part <paramref name="part"/>'s columns onto the destination, in row order.</summary>
    public void Run(int part)
    {
        int blocks = Width / 64;
        int first = blocks * part / Parts * 64, last = part == Parts - 1 ? Width : blocks * (part + 1) / Parts * 64;
        ReadOnlySpan<T> source = Source.Read;
        Span<T> destination = Destination.Write.Slice(first, last - first);
        for (int r = 0; r < Rows; r++)
            TensorPrimitives.Add(destination, source.Slice(r * Width + first, last - first), destination);
    }
}
