using System.Security.Cryptography;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Frames the network's bytes inside a model file so that a truncated or altered file is caught
/// when it is loaded, not when it scores nonsense later.
/// </summary>
/// <remarks>
/// Layout: int32 magic, string format name, int64 payload length, payload bytes, SHA-256 of the
/// payload (32 bytes).
/// </remarks>
internal static class ChecksummedPayload
{
    private const int Magic = 0x4D54534C; // "LSTM" read little-endian
    private const int HashSize = 32;

    /// <summary>Writes the scorer's bytes, framed and checksummed.</summary>
    public static void Write(BinaryWriter writer, ISequenceScorer scorer)
    {
        using var payload = new MemoryStream();
        scorer.Save(payload);
        byte[] bytes = payload.ToArray();
        writer.Write(Magic);
        writer.Write(scorer.FormatName);
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
        writer.Write(SHA256.HashData(bytes));
    }

    /// <summary>Reads back what <see cref="Write"/> wrote and the scorer it holds.</summary>
    /// <exception cref="InvalidDataException">The bytes are truncated, altered, or not ours.</exception>
    public static ISequenceScorer Read(BinaryReader reader)
    {
        try
        {
            if (reader.ReadInt32() != Magic)
                throw Damaged("it does not start with the Microsoft.ML.Lstm network header");
            string formatName = reader.ReadString();
            long length = reader.ReadInt64();
            if (length < 0 || length > Array.MaxLength)
                throw Damaged($"it declares an impossible network size of {length} bytes");
            byte[] bytes = reader.ReadBytes((int)length);
            if (bytes.Length != length)
                throw Damaged($"the network holds {bytes.Length} of its {length} bytes (truncated)");
            byte[] storedHash = reader.ReadBytes(HashSize);
            if (storedHash.Length != HashSize)
                throw Damaged("the network's checksum is missing (truncated)");
            if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(storedHash))
                throw Damaged("the network's SHA-256 checksum does not match its bytes (altered or corrupted)");

            using var payload = new MemoryStream(bytes, writable: false);
            return SequenceScorerFormats.Load(formatName, payload);
        }
        catch (EndOfStreamException e)
        {
            throw Damaged("it ends before the network header does (truncated)", e);
        }
    }

    private static InvalidDataException Damaged(string reason, Exception? inner = null)
        => new($"The Microsoft.ML.Lstm model file is damaged: {reason}. Save the model again.", inner);
}
