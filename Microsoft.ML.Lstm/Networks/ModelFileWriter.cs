using System.Buffers.Binary;
using System.IO.Hashing;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Writes a model file: named sections, each filled through a <see cref="ModelSectionWriter"/>,
/// under one format version and one CRC-32. The layout is on <see cref="ModelFile"/>, which reads it.
/// </summary>
/// <remarks>
/// Sections are written in the order they were added, so the same content writes the same bytes.
/// <code>
/// var file = new ModelFileWriter();
/// ModelSectionWriter spec = file.Section("spec");
/// spec.WriteInt32(hiddenSize);
/// file.Section("encoder").WriteFloats(weights);
/// file.WriteTo(stream);
/// </code>
/// </remarks>
internal sealed class ModelFileWriter
{
    private readonly List<ModelSectionWriter> sections = [];

    /// <summary>The format version written: <see cref="ModelFile.FirstFormatVersion"/> unless a section needs a later one.</summary>
    public int FormatVersion { get; private set; } = ModelFile.FirstFormatVersion;

    /// <summary>Raises the version written to at least <paramref name="version"/>, for a section that older readers must not skip.</summary>
    public void RequireFormatVersion(int version)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, ModelFile.FormatVersion);
        FormatVersion = Math.Max(FormatVersion, version);
    }

    /// <summary>
    /// Adds a section and returns the writer for its bytes. Names are 1 to 64 characters of
    /// A-Z, a-z, 0-9, '.', '_' and '-', each used once.
    /// </summary>
    public ModelSectionWriter Section(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ModelFile.IsValidSectionName(name))
            throw new ArgumentException($"'{name}' is not a section name: use 1 to {ModelFile.MaxSectionNameLength} of A-Z a-z 0-9 . _ -.", nameof(name));
        if (sections.Exists(section => section.Name == name))
            throw new ArgumentException($"The model file already has a section '{name}'.", nameof(name));
        if (sections.Count == ModelFile.MaxSections)
            throw new InvalidOperationException($"A model file holds at most {ModelFile.MaxSections} sections.");
        var section = new ModelSectionWriter(name);
        sections.Add(section);
        return section;
    }

    /// <summary>Writes the file to the stream's current position; the stream stays open.</summary>
    /// <exception cref="InvalidOperationException">The file would exceed <see cref="Array.MaxLength"/> bytes.</exception>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var directory = new ModelSectionWriter("directory");
        directory.WriteInt32(sections.Count);
        long fileLength = ModelFile.HeaderLength + ModelFile.ChecksumLength;
        foreach (ModelSectionWriter section in sections)
        {
            directory.WriteString(section.Name);
            directory.WriteInt64(section.WrittenBytes.Length);
            fileLength += section.WrittenBytes.Length;
        }
        fileLength += directory.WrittenBytes.Length;
        if (fileLength > Array.MaxLength)
            throw new InvalidOperationException($"The model file would be {fileLength} bytes; the format holds at most {Array.MaxLength}.");

        Span<byte> header = stackalloc byte[ModelFile.HeaderLength];
        ModelFile.Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], fileLength);

        var crc = new Crc32();
        Write(stream, crc, header);
        Write(stream, crc, directory.WrittenBytes);
        foreach (ModelSectionWriter section in sections)
            Write(stream, crc, section.WrittenBytes);
        Span<byte> checksum = stackalloc byte[ModelFile.ChecksumLength];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, crc.GetCurrentHashAsUInt32());
        stream.Write(checksum);
    }

    private static void Write(Stream stream, Crc32 crc, ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        crc.Append(bytes);
    }
}
