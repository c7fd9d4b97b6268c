using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Collects the bytes of one section of a model file; obtained from <see cref="ModelFileWriter.Section"/>.
/// Each write has a matching read on <see cref="ModelSectionReader"/>, and a value that read would
/// refuse (NaN, an undefined enum, a string that is not valid UTF-16) is refused here, when saving.
/// </summary>
/// <remarks>
/// Little-endian: int32 and enums 4 bytes, int64 8, float32 4, float64 8, bool 1 (0 or 1),
/// string an int32 byte count followed by its UTF-8 bytes, floats their values only, no count.
/// </remarks>
internal sealed class ModelSectionWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ArrayBufferWriter<byte> buffer = new();

    internal ModelSectionWriter(string name) => Name = name;

    /// <summary>The section's name.</summary>
    public string Name { get; }

    /// <summary>The bytes written so far.</summary>
    internal ReadOnlySpan<byte> WrittenBytes => buffer.WrittenSpan;

    /// <summary>Writes an int32.</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Grow(sizeof(int)), value);

    /// <summary>Writes an int64.</summary>
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Grow(sizeof(long)), value);

    /// <summary>Writes a float32 other than NaN.</summary>
    public void WriteSingle(float value)
    {
        if (float.IsNaN(value))
            throw new ArgumentException($"Section '{Name}': a single value cannot be NaN; the reader refuses it.", nameof(value));
        BinaryPrimitives.WriteSingleLittleEndian(Grow(sizeof(float)), value);
    }

    /// <summary>Writes a float64 other than NaN.</summary>
    public void WriteDouble(double value)
    {
        if (double.IsNaN(value))
            throw new ArgumentException($"Section '{Name}': a single value cannot be NaN; the reader refuses it.", nameof(value));
        BinaryPrimitives.WriteDoubleLittleEndian(Grow(sizeof(double)), value);
    }

    /// <summary>Writes a bool as one byte, 0 or 1.</summary>
    public void WriteBoolean(bool value) => Grow(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>Writes a defined value of an enum whose underlying type is int, as int32.</summary>
    public void WriteEnum<TEnum>(TEnum value) where TEnum : struct, Enum
    {
        RequireInt32Enum<TEnum>();
        if (!Enum.IsDefined(value))
            throw new ArgumentException($"Section '{Name}': {value} is no {typeof(TEnum).Name}; the reader refuses it.", nameof(value));
        WriteInt32(Convert.ToInt32(value));
    }

    /// <summary>Writes a string as its UTF-8 byte count and bytes.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int length;
        try
        {
            length = StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException error)
        {
            throw new ArgumentException($"Section '{Name}': the string holds a lone surrogate, which UTF-8 cannot store.", nameof(value), error);
        }
        WriteInt32(length);
        StrictUtf8.GetBytes(value, Grow(length));
    }

    /// <summary>Writes float32 values, bit for bit, without their count.</summary>
    public void WriteFloats(ReadOnlySpan<float> values)
    {
        Span<byte> destination = Grow(checked(values.Length * sizeof(float)));
        MemoryMarshal.AsBytes(values).CopyTo(destination);
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> words = MemoryMarshal.Cast<byte, int>(destination);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    /// <summary>Writes 16-bit values (bfloat16 weights), bit for bit, without their count.</summary>
    public void WriteUInt16s(ReadOnlySpan<ushort> values)
    {
        Span<byte> destination = Grow(checked(values.Length * sizeof(ushort)));
        MemoryMarshal.AsBytes(values).CopyTo(destination);
        if (!BitConverter.IsLittleEndian)
        {
            Span<ushort> words = MemoryMarshal.Cast<byte, ushort>(destination);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    /// <summary>Writes signed bytes (int8 weights) without their count.</summary>
    public void WriteSBytes(ReadOnlySpan<sbyte> values) => MemoryMarshal.AsBytes(values).CopyTo(Grow(values.Length));

    internal static void RequireInt32Enum<TEnum>() where TEnum : struct, Enum
    {
        if (Enum.GetUnderlyingType(typeof(TEnum)) != typeof(int))
            throw new ArgumentException($"{typeof(TEnum).Name} is not stored as int; model files hold int-based enums only.");
    }

    private Span<byte> Grow(int count)
    {
        Span<byte> span = buffer.GetSpan(count)[..count];
        buffer.Advance(count);
        return span;
    }
}
