using System.Buffers.Binary;
using System.IO.Hashing;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A model file read back: named sections under one format version and one checksum, written by
/// <see cref="ModelFileWriter"/>. The file is untrusted input; anything malformed fails with
/// <see cref="InvalidDataException"/> and nothing else.
/// </summary>
/// <remarks>
/// Layout, little-endian throughout; strings are an int32 byte count followed by that many UTF-8 bytes:
/// <code>
/// offset  bytes  field
///  0      8      magic "MLLSTMMF"
///  8      4      format version (int32): 1, or 2 for a file holding compressed weights (an older library refuses it by number)
/// 12      8      file length (int64): every byte of the file, magic through checksum
/// 20      4      section count (int32), 0 to 64
/// 24      …      directory, per section: name (string, 1 to 64 of A-Z a-z 0-9 . _ -) · byte length (int64)
///         …      the sections' bytes, concatenated in directory order, nothing between or after them
/// end-4   4      CRC-32 (IEEE 802.3, System.IO.Hashing's <see cref="Crc32"/>) of every byte before it, header included
/// </code>
/// Reading checks, in order: the magic, the version (a newer one is refused by number), the file length
/// against the caller's limit and against the bytes the stream still holds, then reads the file in
/// chunks that grow only as bytes arrive, verifies the checksum, and only then parses the directory,
/// whose lengths must add up to exactly the bytes after it. Sections are slices of the one buffer.
/// <para>
/// CRC-32 and not SHA-256: a CRC detects every burst of up to 32 flipped bits, so every single-bit
/// flip, with certainty, where a hash does so only with high probability; it is 4 bytes and already
/// here. Neither would stop a deliberately crafted file, since anyone can recompute an unkeyed hash;
/// what makes a crafted file harmless is that every size is checked before anything is allocated.
/// </para>
/// <para>
/// Sections a reader does not open are allowed and ignored, so a later library can add an optional
/// section (training history, say) that this one still loads past. A change that alters what an
/// existing section means, or a new section that scoring cannot do without, raises the version.
/// </para>
/// </remarks>
internal sealed class ModelFile
{
    /// <summary>The newest format version this library reads (and writes, for a file that needs it).</summary>
    public const int FormatVersion = CompressedWeightsVersion;

    /// <summary>The first format version: what a file without compressed weights is written as, so older libraries read it.</summary>
    public const int FirstFormatVersion = 1;

    /// <summary>The version of a file holding compressed weights (the "network.compressed" section), which scoring cannot do without.</summary>
    public const int CompressedWeightsVersion = 2;

    internal const int MaxSections = 64;
    internal const int MaxSectionNameLength = 64;
    internal const int HeaderLength = 20; // magic, version, file length
    internal const int ChecksumLength = 4;
    private const int MinFileLength = HeaderLength + 4 + ChecksumLength; // no sections
    internal static ReadOnlySpan<byte> Magic => "MLLSTMMF"u8;

    private const int FirstChunk = 64 * 1024;
    private const int DirectoryEntryMinBytes = 4 + 1 + 8; // name length, a one-byte name, section length

    private readonly Dictionary<string, ReadOnlyMemory<byte>> sections;

    private ModelFile(IReadOnlyList<string> sectionNames, Dictionary<string, ReadOnlyMemory<byte>> sections)
    {
        SectionNames = sectionNames;
        this.sections = sections;
    }

    /// <summary>The names of the sections in the file, in the order they were written.</summary>
    public IReadOnlyList<string> SectionNames { get; }

    /// <summary>Whether the file holds a section of that name.</summary>
    public bool Contains(string name) => sections.ContainsKey(name);

    /// <summary>A reader positioned at the start of the named section; each call gives a fresh one.</summary>
    /// <exception cref="InvalidDataException">The file has no section of that name.</exception>
    public ModelSectionReader Open(string name)
    {
        if (!sections.TryGetValue(name, out ReadOnlyMemory<byte> bytes))
        {
            string held = SectionNames.Count == 0 ? "none" : string.Join(", ", SectionNames.Select(n => $"'{n}'"));
            throw new InvalidDataException($"The model file has no section '{name}'; the sections it holds are {held}.");
        }
        return new ModelSectionReader(name, $"section '{name}'", bytes);
    }

    /// <summary>
    /// Reads one model file from the stream's current position, leaving the stream just after it.
    /// </summary>
    /// <param name="stream">The stream; not closed. Only a seekable one's <see cref="Stream.Length"/> is consulted.</param>
    /// <param name="maxBytes">The largest file accepted, at most <see cref="Array.MaxLength"/> bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not a model file, are from a newer format,
    /// are larger than <paramref name="maxBytes"/>, truncated, altered or malformed.</exception>
    public static ModelFile Read(Stream stream, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, MinFileLength);
        maxBytes = Math.Min(maxBytes, Array.MaxLength);
        try
        {
            return Parse(ReadVerified(stream, maxBytes));
        }
        catch (Exception error) when (error is EndOfStreamException or OverflowException or ArgumentException)
        {
            // Every check above is explicit; this is the net under them, so nothing else escapes.
            throw new InvalidDataException($"The model file is malformed: {error.Message}", error);
        }
    }

    /// <summary>The whole file, its length and checksum checked.</summary>
    private static byte[] ReadVerified(Stream stream, long maxBytes)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        int headerRead = ReadUpTo(stream, header[..Magic.Length]);
        if (headerRead > 0 && headerRead < Magic.Length && header[..headerRead].SequenceEqual(Magic[..headerRead]))
            throw Truncated(headerRead, HeaderLength);
        if (headerRead < Magic.Length || !header[..Magic.Length].SequenceEqual(Magic))
            throw new InvalidDataException(
                $"This is not a Microsoft.ML.Lstm model: it does not start with \"MLLSTMMF\" (read {headerRead} bytes).");
        headerRead += ReadUpTo(stream, header[Magic.Length..]);
        if (headerRead < HeaderLength)
            throw Truncated(headerRead, HeaderLength);

        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version > FormatVersion)
            throw new InvalidDataException(
                $"The model file has format version {version}; this library reads {FirstFormatVersion} to {FormatVersion}. Load it with a newer Microsoft.ML.Lstm.");
        if (version < 1)
            throw new InvalidDataException($"The model file has format version {version}, which does not exist (damaged).");

        long fileLength = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
        if (fileLength < MinFileLength || fileLength > maxBytes)
            throw new InvalidDataException(
                $"The model file declares a length of {fileLength} bytes; accepted are {MinFileLength} to {maxBytes}.");
        if (stream.CanSeek && stream.Length - stream.Position < fileLength - HeaderLength)
            throw Truncated(HeaderLength + stream.Length - stream.Position, fileLength);

        // A non-seekable stream cannot say how much it holds, so the buffer grows only as bytes arrive:
        // a lying length costs at most about twice the bytes that really came.
        var file = new byte[stream.CanSeek ? fileLength : Math.Min(fileLength, FirstChunk)];
        header.CopyTo(file);
        int filled = HeaderLength;
        while (filled < fileLength)
        {
            if (filled == file.Length)
                Array.Resize(ref file, (int)Math.Min(fileLength, 2L * file.Length));
            int read = stream.Read(file, filled, file.Length - filled);
            if (read == 0)
                throw Truncated(filled, fileLength);
            filled += read;
        }

        int checksumAt = file.Length - ChecksumLength;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(checksumAt));
        uint computed = Crc32.HashToUInt32(file.AsSpan(0, checksumAt));
        if (stored != computed)
            throw new InvalidDataException(
                $"The model file is damaged: its CRC-32 is {stored:X8} but its bytes give {computed:X8} (altered or corrupted). Save the model again.");
        return file;
    }

    private static ModelFile Parse(byte[] file)
    {
        var body = new ReadOnlyMemory<byte>(file, HeaderLength, file.Length - HeaderLength - ChecksumLength);
        var directory = new ModelSectionReader("", "section directory", body);
        int count = directory.ReadCount("sections", MaxSections, DirectoryEntryMinBytes);
        var names = new string[count];
        var lengths = new long[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = directory.ReadString("a section name", MaxSectionNameLength);
            if (!IsValidSectionName(names[i]))
                throw new InvalidDataException($"The model file's section directory holds an invalid section name \"{names[i]}\".");
            lengths[i] = directory.ReadInt64($"the length of section '{names[i]}'", 0, directory.Remaining);
        }

        long declared = lengths.Sum();
        if (declared != directory.Remaining)
            throw new InvalidDataException(
                $"The model file's section directory declares {declared} bytes of sections but {directory.Remaining} bytes follow it.");

        var sections = new Dictionary<string, ReadOnlyMemory<byte>>(count, StringComparer.Ordinal);
        int start = body.Length - directory.Remaining;
        for (int i = 0; i < count; i++)
        {
            if (!sections.TryAdd(names[i], body.Slice(start, (int)lengths[i])))
                throw new InvalidDataException($"The model file holds two sections named '{names[i]}'.");
            start += (int)lengths[i];
        }
        return new ModelFile(names, sections);
    }

    /// <summary>1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</summary>
    internal static bool IsValidSectionName(string name)
    {
        if (name.Length is 0 or > MaxSectionNameLength)
            return false;
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
                return false;
        }
        return true;
    }

    private static InvalidDataException Truncated(long present, long expected)
        => new($"The model file is truncated: the stream holds {present} of its {expected} bytes.");

    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0)
                break;
            total += read;
        }
        return total;
    }
}
