namespace Microsoft.ML.Lstm.Networks;

/// <summary>Grows reusable buffers: hot paths keep their arrays across batches and allocate only when a batch is larger than any before.</summary>
internal static class Workspace
{
    /// <summary>Returns <paramref name="buffer"/>'s first <paramref name="length"/> elements, replacing the array by a larger one when it is too small.</summary>
    public static Span<T> Ensure<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[Math.Max(length, buffer.Length + buffer.Length / 2)];
        return buffer.AsSpan(0, length);
    }

    /// <summary>
    /// Returns <paramref name="buffer"/>'s first <paramref name="length"/> elements, as <see cref="Ensure{T}"/>, but gives
    /// back memory a long input took: a buffer larger than <paramref name="retained"/> is replaced by one of
    /// <paramref name="length"/> as soon as a request fits in <paramref name="retained"/>.
    /// </summary>
    public static Span<T> EnsureBounded<T>(ref T[] buffer, int length, int retained)
    {
        if (length > retained)
        {
            if (buffer.Length < length)
                buffer = new T[length];
        }
        else if (buffer.Length < length || buffer.Length > retained)
        {
            buffer = new T[Math.Min(retained, Math.Max(length, buffer.Length + buffer.Length / 2))];
        }
        return buffer.AsSpan(0, length);
    }
}
