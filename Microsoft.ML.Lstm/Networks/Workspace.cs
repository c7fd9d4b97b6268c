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
}
