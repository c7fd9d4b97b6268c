using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>A network written as a model file's bytes and read back, as the transformers' save and load do.</summary>
internal static class SavedNetworks
{
    public static byte[] Save(SequenceNetwork<float> network)
    {
        var file = new ModelFileWriter();
        NetworkSerializer.Write(file, network);
        using var stream = new MemoryStream();
        file.WriteTo(stream);
        return stream.ToArray();
    }

    public static SequenceNetwork<float> Load(byte[] bytes) =>
        NetworkSerializer.Read(ModelFile.Read(new MemoryStream(bytes), int.MaxValue), threads: 1);

    public static SequenceNetwork<float> RoundTrip(SequenceNetwork<float> network) => Load(Save(network));
}
