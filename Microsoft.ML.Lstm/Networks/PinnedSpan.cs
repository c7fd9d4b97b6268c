namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A caller's span handed to the workers of a parallel section, which a span itself cannot reach: the caller
/// pins it (<c>fixed</c>) around the section, and the parts read or write it through this.
/// </summary>
internal readonly unsafe struct PinnedSpan<T>(T* pointer, int length) where T : unmanaged
{
    /// <summary>Number of elements.</summary>
    public int Length => length;

    /// <summary>The span to read.</summary>
    public ReadOnlySpan<T> Read => new(pointer, length);

    /// <summary>The span to write.</summary>
    public Span<T> Write => new(pointer, length);
}
