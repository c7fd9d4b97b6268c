using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class ModelFileTests
{
    private const long Limit = 1 << 20;
    private const long OneMegabyte = 1 << 20;
    private static readonly float[] Weights = [0.5f, -1.25f, 3e-39f, float.MaxValue, -0f, float.PositiveInfinity];

    /// <summary>A small file with two sections holding one value of every kind.</summary>
    private static byte[] SmallFile()
    {
        var file = new ModelFileWriter();
        ModelSectionWriter spec = file.Section("spec");
        spec.WriteInt32(-7);
        spec.WriteInt64(1L << 40);
        spec.WriteSingle(0.25f);
        spec.WriteDouble(-2.5);
        spec.WriteBoolean(true);
        spec.WriteEnum(CellType.Gru);
        spec.WriteString("héllo");
        ModelSectionWriter encoder = file.Section("encoder");
        encoder.WriteInt32(Weights.Length);
        encoder.WriteFloats(Weights);
        return ToBytes(file);
    }

    /// <summary>Reads every value of <see cref="SmallFile"/> the way a model loader would.</summary>
    private static void ReadSmallFile(Stream stream)
    {
        ModelFile file = ModelFile.Read(stream, Limit);
        ModelSectionReader spec = file.Open("spec");
        Assert.Equal(-7, spec.ReadInt32("an int", -10, 10));
        Assert.Equal(1L << 40, spec.ReadInt64("a long", 0, long.MaxValue));
        Assert.Equal(0.25f, spec.ReadSingle("a float", 0, 1));
        Assert.Equal(-2.5, spec.ReadDouble("a double", -10, 10));
        Assert.True(spec.ReadBoolean("a bool"));
        Assert.Equal(CellType.Gru, spec.ReadEnum<CellType>("the cell"));
        Assert.Equal("héllo", spec.ReadString("a greeting", 100));
        spec.ExpectEnd();
        ModelSectionReader encoder = file.Open("encoder");
        int count = encoder.ReadCount("weights", 100, sizeof(float));
        Assert.Equal(Weights, encoder.ReadFloats("weights", count));
        encoder.ExpectEnd();
    }

    private static byte[] ToBytes(ModelFileWriter file)
    {
        using var stream = new MemoryStream();
        file.WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>A file written by hand: the given header fields and body, and a valid CRC-32 over them.</summary>
    private static byte[] Craft(byte[] body, int version = ModelFile.FormatVersion, long? declaredLength = null)
    {
        var bytes = new byte[ModelFile.HeaderLength + body.Length + ModelFile.ChecksumLength];
        "MLLSTMMF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), version);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), declaredLength ?? bytes.Length);
        body.CopyTo(bytes, ModelFile.HeaderLength);
        FixChecksum(bytes);
        return bytes;
    }

    private static void FixChecksum(byte[] bytes)
    {
        int at = bytes.Length - ModelFile.ChecksumLength;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, at)));
    }

    /// <summary>A body of one section by hand: count, directory entry with the declared length, then the bytes.</summary>
    private static byte[] OneSection(string name, byte[] content, long? declaredLength = null)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(1);
        writer.Write(Encoding.UTF8.GetByteCount(name));
        writer.Write(Encoding.UTF8.GetBytes(name));
        writer.Write(declaredLength ?? content.Length);
        writer.Write(content);
        writer.Flush();
        return stream.ToArray();
    }

    private static byte[] Int32s(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static ModelSectionReader OpenCrafted(byte[] content)
        => ModelFile.Read(new MemoryStream(Craft(OneSection("encoder", content))), Limit).Open("encoder");

    /// <summary>Bytes allocated on this thread while <paramref name="action"/> runs.</summary>
    private static long AllocatedWhile(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void RoundTripKeepsEveryValueType()
    {
        ReadSmallFile(new MemoryStream(SmallFile()));
    }

    [Fact]
    public void RoundTripKeepsFloatBitsIncludingNaNPayloads()
    {
        float[] values = [BitConverter.Int32BitsToSingle(0x7FC01234), float.Epsilon, -0f, float.NegativeInfinity];
        var file = new ModelFileWriter();
        file.Section("head").WriteFloats(values);
        ModelSectionReader head = ModelFile.Read(new MemoryStream(ToBytes(file)), Limit).Open("head");
        var into = new float[values.Length];
        head.ReadFloats("head weights", into);
        head.ExpectEnd();
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), into.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void RoundTripThroughNonSeekableStreamThatReturnsOneByteAtATime()
    {
        ReadSmallFile(new NonSeekableStream(SmallFile(), maxPerRead: 1));
    }

    [Fact]
    public void RoundTripKeepsEmptySectionsAndEmptyFiles()
    {
        var file = new ModelFileWriter();
        file.Section("empty");
        ModelFile read = ModelFile.Read(new MemoryStream(ToBytes(file)), Limit);
        Assert.Equal(["empty"], read.SectionNames);
        read.Open("empty").ExpectEnd();

        Assert.Empty(ModelFile.Read(new MemoryStream(ToBytes(new ModelFileWriter())), Limit).SectionNames);
    }

    [Fact]
    public void WriteIsDeterministic()
    {
        Assert.Equal(SmallFile(), SmallFile());
    }

    [Fact]
    public void WriteLaysOutHeaderAsDocumented()
    {
        byte[] bytes = SmallFile();
        Assert.Equal("MLLSTMMF"u8.ToArray(), bytes[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(bytes.Length, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20)));
        Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(..^4)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)));
    }

    [Fact]
    public void ReadStopsAtTheEndOfTheFile()
    {
        byte[] model = SmallFile();
        var stream = new MemoryStream([.. model, .. "after"u8]);
        ModelFile.Read(stream, Limit);
        Assert.Equal(model.Length, stream.Position);

        var unseekable = new NonSeekableStream([.. model, .. "after"u8], maxPerRead: 1000);
        ModelFile.Read(unseekable, Limit);
        Assert.Equal("after"u8.ToArray(), new BinaryReader(unseekable).ReadBytes(100));
    }

    [Fact]
    public void ReadRejectsTruncatedFile()
    {
        byte[] bytes = SmallFile();
        for (int length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(bytes[..length]), Limit));
            Assert.True(length == 0 || error.Message.Contains("truncated"), $"{length}: {error.Message}");
            Assert.Throws<InvalidDataException>(() => ModelFile.Read(new NonSeekableStream(bytes[..length], maxPerRead: 7), Limit));
        }
    }

    [Fact]
    public void ReadRejectsEveryFlippedBit()
    {
        byte[] bytes = SmallFile();
        for (int bit = 0; bit < 8 * bytes.Length; bit++)
        {
            byte[] flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(flipped), Limit));
        }
    }

    [Fact]
    public void AlteredBytesWithARecomputedChecksumFailOnlyWithInvalidDataException()
    {
        // What an attacker can do: change anything and fix the CRC. Loading must fail cleanly or succeed
        // (an Xunit failure is a read that succeeded with a different value).
        byte[] bytes = SmallFile();
        foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF, 0x7F })
        {
            for (int at = 0; at < bytes.Length - ModelFile.ChecksumLength; at++)
            {
                byte[] altered = (byte[])bytes.Clone();
                altered[at] ^= mask;
                FixChecksum(altered);
                Exception? error = Record.Exception(() => ReadSmallFile(new MemoryStream(altered)));
                Assert.True(error is null or InvalidDataException or Xunit.Sdk.XunitException, $"byte {at} ^ {mask:X2}: {error}");
            }
        }
    }

    [Fact]
    public void ReadRejectsWrongMagicAsNotAModel()
    {
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream("PK\u0003\u0004 a zip file, not a model"u8.ToArray()), Limit));
        Assert.Contains("not a Microsoft.ML.Lstm model", error.Message);
        error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream([]), Limit));
        Assert.Contains("not a Microsoft.ML.Lstm model", error.Message);
    }

    [Fact]
    public void ReadRefusesNewerFormatVersionByNumber()
    {
        byte[] bytes = Craft(Int32s(0), version: 3);
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(bytes), Limit));
        Assert.Contains("format version 3; this library reads 1", error.Message);
    }

    [Fact]
    public void OpenNamesTheMissingSection()
    {
        ModelFile file = ModelFile.Read(new MemoryStream(SmallFile()), Limit);
        var error = Assert.Throws<InvalidDataException>(() => file.Open("head"));
        Assert.Contains("no section 'head'", error.Message);
        Assert.Contains("'spec', 'encoder'", error.Message);
        Assert.False(file.Contains("head"));
    }

    [Fact]
    public void ReadAllowsSectionsTheReaderDoesNotOpen()
    {
        var file = new ModelFileWriter();
        file.Section("spec").WriteInt32(4);
        file.Section("training-history").WriteString("from a later library");
        ModelFile read = ModelFile.Read(new MemoryStream(ToBytes(file)), Limit);
        Assert.Equal(["spec", "training-history"], read.SectionNames);
        Assert.Equal(4, read.Open("spec").ReadInt32("hidden size", 1, 10));
    }

    [Fact]
    public void ReadRejectsFileLargerThanTheLimit()
    {
        byte[] bytes = SmallFile();
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(bytes), maxBytes: bytes.Length - 1));
        Assert.Contains($"length of {bytes.Length} bytes", error.Message);
        ModelFile.Read(new MemoryStream(bytes), maxBytes: bytes.Length);
    }

    [Fact]
    public void ReadRejectsHugeSectionLengthWithoutAllocating()
    {
        byte[] bytes = Craft(OneSection("encoder", new byte[10], declaredLength: 1L << 40));
        ModelFile.Read(new MemoryStream(Craft(OneSection("encoder", new byte[10]))), Limit); // warm up
        long allocated = AllocatedWhile(() =>
        {
            var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(bytes), Limit));
            Assert.Contains("length of section 'encoder'", error.Message);
        });
        Assert.True(allocated < OneMegabyte, $"{allocated} bytes allocated");
    }

    [Fact]
    public void ReadRejectsDirectoryThatDoesNotAccountForEveryByte()
    {
        var error = Assert.Throws<InvalidDataException>(
            () => ModelFile.Read(new MemoryStream(Craft(OneSection("encoder", new byte[10], declaredLength: 6))), Limit));
        Assert.Contains("declares 6 bytes of sections but 10 bytes follow", error.Message);
    }

    [Fact]
    public void ReadRejectsDuplicateAndInvalidSectionNames()
    {
        byte[] twice = [.. Int32s(2, 1), .. "a"u8, .. new byte[8], .. Int32s(1), .. "a"u8, .. new byte[8]];
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(Craft(twice)), Limit));
        Assert.Contains("two sections named 'a'", error.Message);

        error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(Craft(OneSection("a b", []))), Limit));
        Assert.Contains("invalid section name", error.Message);
    }

    [Fact]
    public void ReadRejectsHugeSectionCount()
    {
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(Craft(Int32s(int.MaxValue))), Limit));
        Assert.Contains("section directory", error.Message);
    }

    [Fact]
    public void ReadFloatsRejectsHugeCountWithoutAllocating()
    {
        ModelSectionReader encoder = OpenCrafted([.. Int32s(int.MaxValue), .. new byte[400]]);
        int count = encoder.ReadInt32("vocabulary rows", 0, int.MaxValue);
        long allocated = AllocatedWhile(() =>
        {
            var error = Assert.Throws<InvalidDataException>(() => encoder.ReadFloats("embedding weights", count));
            Assert.Equal("The model file's section 'encoder' declares 2147483647 embedding weights of 4 bytes each but has 400 bytes left.", error.Message);
            Assert.Throws<InvalidDataException>(() => encoder.ReadFloats("embedding weights", new float[101]));
        });
        Assert.True(allocated < OneMegabyte, $"{allocated} bytes allocated");
    }

    [Fact]
    public void ReadStringRejectsHugeLengthWithoutAllocating()
    {
        ModelSectionReader encoder = OpenCrafted([.. Int32s(int.MaxValue), .. new byte[400]]);
        long allocated = AllocatedWhile(() =>
        {
            var error = Assert.Throws<InvalidDataException>(() => encoder.ReadString("a token", int.MaxValue));
            Assert.Contains("ends inside a token: it needs 2147483647 bytes but 400 are left", error.Message);
        });
        Assert.True(allocated < OneMegabyte, $"{allocated} bytes allocated");
        Assert.Throws<InvalidDataException>(() => OpenCrafted([.. Int32s(500), .. new byte[500]]).ReadString("a token", 100));
    }

    [Fact]
    public void ReadCountRejectsCountTheSectionCannotHold()
    {
        ModelSectionReader encoder = OpenCrafted([.. Int32s(int.MaxValue), .. new byte[412]]);
        var error = Assert.Throws<InvalidDataException>(() => encoder.ReadCount("vocabulary entries", int.MaxValue, minBytesEach: 4));
        Assert.Contains("section 'encoder' declares 2147483647 vocabulary entries of 4 bytes each but has 412 bytes left", error.Message);

        error = Assert.Throws<InvalidDataException>(() => OpenCrafted(Int32s(1_000_000)).ReadCount("layers", 64, minBytesEach: 0));
        Assert.Contains("holds 1000000 as layers; expected 0 to 64", error.Message);
    }

    [Fact]
    public void EnsureHoldsRejectsCountsDeclaredElsewhere()
    {
        ModelSectionReader encoder = OpenCrafted(new byte[412]);
        var error = Assert.Throws<InvalidDataException>(() => encoder.EnsureHolds("vocabulary rows", 1 << 24, bytesEach: 128));
        Assert.Contains("declares 16777216 vocabulary rows of 128 bytes each but has 412 bytes left", error.Message);
        Assert.Throws<InvalidDataException>(() => encoder.EnsureHolds("vocabulary rows", long.MaxValue, bytesEach: int.MaxValue));
        encoder.EnsureHolds("vocabulary rows", 103, bytesEach: 4);
    }

    [Fact]
    public void ReadFromStreamThatEndsEarlyAllocatesOnlyAboutWhatArrived()
    {
        // The header claims a 2 GB file; a non-seekable stream cannot be asked, and delivers 100 KB.
        var bytes = new byte[ModelFile.HeaderLength + 100_000];
        "MLLSTMMF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 1);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), Array.MaxLength);
        ModelFile.Read(new MemoryStream(SmallFile()), Limit); // warm up
        long allocated = AllocatedWhile(() =>
        {
            var error = Assert.Throws<InvalidDataException>(() => ModelFile.Read(new NonSeekableStream(bytes, maxPerRead: 4096), long.MaxValue));
            Assert.Contains($"holds {bytes.Length} of its {Array.MaxLength} bytes", error.Message);
        });
        Assert.True(allocated < OneMegabyte, $"{allocated} bytes allocated");
    }

    [Fact]
    public void ReadFromSeekableStreamRefusesALyingLengthBeforeAllocating()
    {
        byte[] bytes = Craft(Int32s(0), declaredLength: Array.MaxLength);
        long allocated = AllocatedWhile(() =>
            Assert.Throws<InvalidDataException>(() => ModelFile.Read(new MemoryStream(bytes), long.MaxValue)));
        Assert.True(allocated < OneMegabyte, $"{allocated} bytes allocated");
    }

    [Fact]
    public void TypedReadsRejectValuesOutsideTheirLimits()
    {
        Assert.Throws<InvalidDataException>(() => OpenCrafted(Int32s(65)).ReadInt32("hidden size", 1, 64));
        Assert.Throws<InvalidDataException>(() => OpenCrafted(Int32s(7)).ReadEnum<CellType>("the cell"));
        Assert.Throws<InvalidDataException>(() => OpenCrafted([2]).ReadBoolean("bidirectional"));
        Assert.Throws<InvalidDataException>(() => OpenCrafted(BitConverter.GetBytes(double.NaN)).ReadDouble("dropout", 0, 1));
        Assert.Throws<InvalidDataException>(() => OpenCrafted(BitConverter.GetBytes(1.5)).ReadDouble("dropout", 0, 1));
        Assert.Throws<InvalidDataException>(() => OpenCrafted(BitConverter.GetBytes(float.NaN)).ReadSingle("scale", 0, 1));
        Assert.Throws<InvalidDataException>(() => OpenCrafted([.. Int32s(2), 0xC3, 0x28]).ReadString("a token", 10));
        Assert.Throws<InvalidDataException>(() => OpenCrafted([1, 2, 3]).ReadInt32("hidden size", 0, 10));
        var error = Assert.Throws<InvalidDataException>(() => OpenCrafted(Int32s(7)).ReadEnum<CellType>("the cell"));
        Assert.Contains("holds 7 as the cell, which is no CellType", error.Message);
    }

    [Fact]
    public void ExpectEndRejectsTrailingBytes()
    {
        ModelSectionReader encoder = OpenCrafted(Int32s(3, 4));
        encoder.ReadInt32("layers", 0, 10);
        var error = Assert.Throws<InvalidDataException>(encoder.ExpectEnd);
        Assert.Contains("section 'encoder' has 4 bytes left after its last value", error.Message);
    }

    [Fact]
    public void WriterRefusesWhatTheReaderWouldRefuse()
    {
        var file = new ModelFileWriter();
        ModelSectionWriter spec = file.Section("spec");
        Assert.Throws<ArgumentException>(() => file.Section("spec"));
        Assert.Throws<ArgumentException>(() => file.Section("not a name"));
        Assert.Throws<ArgumentException>(() => file.Section(""));
        Assert.Throws<ArgumentException>(() => spec.WriteDouble(double.NaN));
        Assert.Throws<ArgumentException>(() => spec.WriteEnum((CellType)7));
        Assert.Throws<ArgumentException>(() => spec.WriteString("\ud800"));
    }

    /// <summary>A stream that cannot seek or tell its length, and returns at most a few bytes per read.</summary>
    private sealed class NonSeekableStream(byte[] bytes, int maxPerRead) : Stream
    {
        private int position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int count = Math.Min(Math.Min(buffer.Length, maxPerRead), bytes.Length - position);
            bytes.AsSpan(position, count).CopyTo(buffer);
            position += count;
            return count;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
