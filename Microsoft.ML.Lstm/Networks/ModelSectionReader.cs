using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Reads one section of a <see cref="ModelFile"/> from start to end, each value checked against the
/// limits the caller gives and against the bytes the section still holds before anything is
/// allocated for it. Every failure is an <see cref="InvalidDataException"/> naming the section and
/// the value (each method's <c>what</c>: "layer count", "vocabulary rows").
/// </summary>
/// <remarks>
/// Reads mirror <see cref="ModelSectionWriter"/>'s writes one for one, little-endian: int32 and enums
/// 4 bytes, int64 8, float32 4, float64 8, bool 1 (0 or 1), string an int32 byte count and UTF-8,
/// floats their values only (the count is the caller's to know). Finish each section with
/// <see cref="ExpectEnd"/>.
/// </remarks>
internal sealed class ModelSectionReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string place;
    private readonly ReadOnlyMemory<byte> bytes;
    private int position;

    internal ModelSectionReader(string name, string place, ReadOnlyMemory<byte> bytes)
    {
        Name = name;
        this.place = place;
        this.bytes = bytes;
    }

    /// <summary>The section's name.</summary>
    public string Name { get; }

    /// <summary>The bytes not yet read.</summary>
    public int Remaining => bytes.Length - position;

    /// <summary>Reads an int32 in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int ReadInt32(string what, int min, int max)
    {
        int value = BinaryPrimitives.ReadInt32LittleEndian(Take(what, sizeof(int)));
        return value >= min && value <= max ? value : throw OutOfRange(what, value, min, max);
    }

    /// <summary>Reads an int64 in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long ReadInt64(string what, long min, long max)
    {
        long value = BinaryPrimitives.ReadInt64LittleEndian(Take(what, sizeof(long)));
        return value >= min && value <= max ? value : throw OutOfRange(what, value, min, max);
    }

    /// <summary>
    /// Reads a count in [0, <paramref name="max"/>] of items that each take at least
    /// <paramref name="minBytesEach"/> of this section's remaining bytes (4 for strings, 4·width for
    /// rows of floats; 0 for items stored elsewhere), so a count the section cannot hold is refused
    /// before the caller allocates for it.
    /// </summary>
    public int ReadCount(string what, int max, int minBytesEach)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minBytesEach);
        int count = ReadInt32(what, 0, max);
        EnsureHolds(what, count, minBytesEach);
        return count;
    }

    /// <summary>
    /// Checks that <paramref name="count"/> items of <paramref name="bytesEach"/> bytes fit in what
    /// remains of the section, for a count declared elsewhere (in a spec section, say) that decides
    /// how much the caller will allocate.
    /// </summary>
    public void EnsureHolds(string what, long count, int bytesEach)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesEach);
        if (count < 0 || (bytesEach > 0 && count > Remaining / bytesEach))
            throw Malformed($"declares {count} {what} of {bytesEach} bytes each but has {Remaining} bytes left");
    }

    /// <summary>Reads a float32 in [<paramref name="min"/>, <paramref name="max"/>]; NaN is refused.</summary>
    public float ReadSingle(string what, float min, float max)
    {
        float value = BinaryPrimitives.ReadSingleLittleEndian(Take(what, sizeof(float)));
        return value >= min && value <= max ? value : throw OutOfRange(what, value, min, max);
    }

    /// <summary>Reads a float64 in [<paramref name="min"/>, <paramref name="max"/>]; NaN is refused.</summary>
    public double ReadDouble(string what, double min, double max)
    {
        double value = BinaryPrimitives.ReadDoubleLittleEndian(Take(what, sizeof(double)));
        return value >= min && value <= max ? value : throw OutOfRange(what, value, min, max);
    }

    /// <summary>Reads a bool stored as one byte, 0 or 1.</summary>
    public bool ReadBoolean(string what)
    {
        byte value = Take(what, 1)[0];
        return value <= 1 ? value == 1 : throw Malformed($"holds {value} as {what}; expected 0 or 1");
    }

    /// <summary>Reads an enum stored as int32; a value the enum does not name (a flag combination too) is refused.</summary>
    public TEnum ReadEnum<TEnum>(string what) where TEnum : struct, Enum
    {
        ModelSectionWriter.RequireInt32Enum<TEnum>();
        int raw = BinaryPrimitives.ReadInt32LittleEndian(Take(what, sizeof(int)));
        var value = (TEnum)Enum.ToObject(typeof(TEnum), raw);
        return Enum.IsDefined(value) ? value : throw Malformed($"holds {raw} as {what}, which is no {typeof(TEnum).Name}");
    }

    /// <summary>Reads a string of at most <paramref name="maxBytes"/> bytes of well-formed UTF-8.</summary>
    public string ReadString(string what, int maxBytes)
    {
        int length = ReadInt32($"the length of {what}", 0, maxBytes);
        ReadOnlySpan<byte> utf8 = Take(what, length);
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed($"holds {what} that is not valid UTF-8");
        }
    }

    /// <summary>Reads <paramref name="count"/> float32 values into a new array, checking they are there first.</summary>
    public float[] ReadFloats(string what, long count)
    {
        EnsureHolds(what, count, sizeof(float));
        var values = new float[count];
        ReadFloats(what, values);
        return values;
    }

    /// <summary>Fills <paramref name="destination"/> with float32 values, bit for bit as written.</summary>
    public void ReadFloats(string what, Span<float> destination)
    {
        EnsureHolds(what, destination.Length, sizeof(float));
        Take(what, destination.Length * sizeof(float)).CopyTo(MemoryMarshal.AsBytes(destination));
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> words = MemoryMarshal.Cast<float, int>(destination);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    /// <summary>Fills <paramref name="destination"/> with 16-bit values (bfloat16 weights), bit for bit as written.</summary>
    public void ReadUInt16s(string what, Span<ushort> destination)
    {
        EnsureHolds(what, destination.Length, sizeof(ushort));
        Take(what, destination.Length * sizeof(ushort)).CopyTo(MemoryMarshal.AsBytes(destination));
        if (!BitConverter.IsLittleEndian)
            BinaryPrimitives.ReverseEndianness(destination, destination);
    }

    /// <summary>Fills <paramref name="destination"/> with signed bytes (int8 weights) as written.</summary>
    public void ReadSBytes(string what, Span<sbyte> destination)
    {
        EnsureHolds(what, destination.Length, 1);
        Take(what, destination.Length).CopyTo(MemoryMarshal.AsBytes(destination));
    }

    /// <summary>Checks that the whole section was read: bytes left over mean reader and writer disagree.</summary>
    public void ExpectEnd()
    {
        if (Remaining != 0)
            throw Malformed($"has {Remaining} bytes left after its last value");
    }

    private ReadOnlySpan<byte> Take(string what, int count)
    {
        if (count > Remaining)
            throw Malformed($"ends inside {what}: it needs {count} bytes but {Remaining} are left");
        ReadOnlySpan<byte> taken = bytes.Span.Slice(position, count);
        position += count;
        return taken;
    }

    private InvalidDataException OutOfRange<T>(string what, T value, T min, T max)
        => Malformed(FormattableString.Invariant($"holds {value} as {what}; expected {min} to {max}"));

    private InvalidDataException Malformed(string detail) => new($"The model file's {place} {detail}.");
}
