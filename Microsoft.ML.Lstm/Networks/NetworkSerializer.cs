using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Writes a <see cref="SequenceNetwork{T}"/> of float to a stream and reads it back, bit for bit.
/// Layout (little-endian):
/// <code>
/// magic "MLLSTMNN" · format version (int32) · byte count of the body (int64) · body · CRC-32 of the body (uint32)
/// body: the spec (each field in a fixed order) · parameter count · per parameter: name, rank, dimensions ·
///       value count · the values (float32)
/// </code>
/// A stream that is not ours, written by a newer format, truncated, or altered fails with
/// <see cref="InvalidDataException"/> saying which.
/// </summary>
internal static class NetworkSerializer
{
    private const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "MLLSTMNN"u8;

    /// <summary>Writes the network's architecture and weights.</summary>
    public static void Write(Stream stream, SequenceNetwork<float> network)
    {
        using var bodyStream = new MemoryStream();
        using (var body = new BinaryWriter(bodyStream, Encoding.UTF8, leaveOpen: true))
        {
            WriteSpec(body, network.Spec);
            IReadOnlyList<ParameterView> views = network.Parameters.Views;
            body.Write(views.Count);
            foreach (ParameterView view in views)
            {
                body.Write(view.Name);
                body.Write(view.Shape.Length);
                foreach (int dimension in view.Shape)
                    body.Write(dimension);
            }
            float[] values = network.Parameters.Values;
            body.Write(values.Length);
            body.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        ReadOnlySpan<byte> bodyBytes = bodyStream.GetBuffer().AsSpan(0, (int)bodyStream.Length);

        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((long)bodyBytes.Length);
        writer.Write(bodyBytes);
        writer.Write(Crc32.Append(0, bodyBytes));
    }

    /// <summary>Reads a network written by <see cref="Write"/>, ready to run on <paramref name="threads"/> threads.</summary>
    public static SequenceNetwork<float> Read(Stream stream, int threads)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        Span<byte> magic = stackalloc byte[Magic.Length];
        if (ReadFully(stream, magic) < magic.Length || !magic.SequenceEqual(Magic))
            throw new InvalidDataException("This is not a Microsoft.ML.Lstm network: its header is missing.");
        try
        {
            int version = reader.ReadInt32();
            if (version > FormatVersion || version < 1)
                throw new InvalidDataException($"The network was written in format version {version}; this library reads versions 1 to {FormatVersion}.");
            long bodyLength = reader.ReadInt64();
            if (bodyLength < 0 || bodyLength > int.MaxValue)
                throw new InvalidDataException($"The network's header declares an impossible size ({bodyLength} bytes).");
            var body = new byte[bodyLength];
            if (ReadFully(stream, body) < body.Length)
                throw new InvalidDataException($"The network is truncated: expected {bodyLength} bytes of weights and architecture.");
            uint storedChecksum = reader.ReadUInt32();
            if (Crc32.Append(0, body) != storedChecksum)
                throw new InvalidDataException("The network is damaged: its checksum does not match its contents.");
            return ReadBody(body, threads);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("The network is truncated: the stream ended before its checksum.");
        }
    }

    private static SequenceNetwork<float> ReadBody(byte[] bytes, int threads)
    {
        using var body = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        NetworkSpec spec = ReadSpec(body);
        var network = new SequenceNetwork<float>(spec, seed: 0, threads);
        IReadOnlyList<ParameterView> expected = network.Parameters.Views;
        int count = body.ReadInt32();
        if (count != expected.Count)
            throw new InvalidDataException($"The network holds {count} parameters, but its architecture has {expected.Count}.");
        foreach (ParameterView view in expected)
        {
            string name = body.ReadString();
            var shape = new int[body.ReadInt32()];
            for (int d = 0; d < shape.Length; d++)
                shape[d] = body.ReadInt32();
            if (name != view.Name || !shape.AsSpan().SequenceEqual(view.Shape))
                throw new InvalidDataException($"Parameter '{name}' [{string.Join(", ", shape)}] does not match the architecture's '{view.Name}' [{string.Join(", ", view.Shape)}].");
        }
        int valueCount = body.ReadInt32();
        if (valueCount != network.Parameters.Count)
            throw new InvalidDataException($"The network holds {valueCount} weights, but its architecture has {network.Parameters.Count}.");
        Span<byte> destination = MemoryMarshal.AsBytes(network.Parameters.Values.AsSpan());
        if (body.Read(destination) != destination.Length)
            throw new InvalidDataException("The network is truncated inside its weights.");
        network.Parameters.MarkChanged();
        return network;
    }

    private static void WriteSpec(BinaryWriter writer, NetworkSpec spec)
    {
        writer.Write((int)spec.Input);
        writer.Write(spec.VocabularySize);
        writer.Write(spec.EmbeddingSize);
        writer.Write(spec.FeaturesPerStep);
        writer.Write((int)spec.Cell);
        writer.Write(spec.HiddenSize);
        writer.Write(spec.LayerCount);
        writer.Write(spec.Bidirectional);
        writer.Write((int)spec.Merge);
        writer.Write(spec.Dropout);
        writer.Write(spec.Pooling is PoolingMode pooling ? (int)pooling : -1);
        writer.Write(spec.OutputSize);
    }

    private static NetworkSpec ReadSpec(BinaryReader reader)
    {
        var input = (SequenceInputKind)reader.ReadInt32();
        int vocabulary = reader.ReadInt32(), embedding = reader.ReadInt32(), features = reader.ReadInt32();
        var cell = (CellType)reader.ReadInt32();
        int hidden = reader.ReadInt32(), layers = reader.ReadInt32();
        bool bidirectional = reader.ReadBoolean();
        var merge = (MergeMode)reader.ReadInt32();
        double dropout = reader.ReadDouble();
        int pooling = reader.ReadInt32();
        int outputs = reader.ReadInt32();
        if (!Enum.IsDefined(input) || !Enum.IsDefined(cell) || !Enum.IsDefined(merge) || (pooling != -1 && !Enum.IsDefined((PoolingMode)pooling)))
            throw new InvalidDataException("The network's architecture names a kind of input, cell, merge or pooling this library does not know.");
        var spec = new NetworkSpec
        {
            Input = input, VocabularySize = vocabulary, EmbeddingSize = embedding, FeaturesPerStep = features,
            Cell = cell, HiddenSize = hidden, LayerCount = layers, Bidirectional = bidirectional, Merge = merge,
            Dropout = dropout, Pooling = pooling == -1 ? null : (PoolingMode)pooling, OutputSize = outputs,
        };
        try
        {
            spec.Validate();
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"The network's architecture is invalid: {error.Message}");
        }
        return spec;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
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
