using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class NetworkSerializerTests
{
    private static readonly NetworkSpec Spec = new()
    {
        Input = SequenceInputKind.Tokens,
        VocabularySize = 30,
        EmbeddingSize = 6,
        Cell = CellType.PeepholeLstm,
        HiddenSize = 5,
        LayerCount = 2,
        Bidirectional = true,
        Pooling = PoolingMode.Attention,
        OutputSize = 3,
    };

    private static byte[] Save(SequenceNetwork<float> network)
    {
        using var stream = new MemoryStream();
        NetworkSerializer.Write(stream, network);
        return stream.ToArray();
    }

    private static SequenceNetwork<float> Load(byte[] bytes) => NetworkSerializer.Read(new MemoryStream(bytes), threads: 1);

    [Fact]
    public void RoundTripGivesIdenticalWeightsAndOutputs()
    {
        var network = new SequenceNetwork<float>(Spec, seed: 3, threads: 1);
        var loaded = Load(Save(network));

        Assert.Equal(network.Spec, loaded.Spec);
        Assert.Equal(network.Parameters.Values, loaded.Parameters.Values);
        var batch = SequenceBatch<float>.FromTokens([[1, 2, 3], [4, 5], [6, 7, 8, 9]]);
        Assert.Equal(network.Forward(batch, training: false).ToArray(), loaded.Forward(batch, training: false).ToArray());
    }

    [Fact]
    public void LoadRejectsTruncatedNetwork()
    {
        byte[] bytes = Save(new SequenceNetwork<float>(Spec, seed: 3, threads: 1));
        foreach (int length in new[] { 4, 12, 20, bytes.Length / 2, bytes.Length - 1 })
        {
            var error = Assert.Throws<InvalidDataException>(() => Load(bytes[..length]));
            Assert.True(error.Message.Contains("truncated") || error.Message.Contains("header"), error.Message);
        }
    }

    [Fact]
    public void LoadRejectsAlteredWeights()
    {
        byte[] bytes = Save(new SequenceNetwork<float>(Spec, seed: 3, threads: 1));
        bytes[bytes.Length - 40] ^= 0x10;
        var error = Assert.Throws<InvalidDataException>(() => Load(bytes));
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void LoadRejectsAForeignStream()
    {
        var error = Assert.Throws<InvalidDataException>(() => Load("PK\u0003\u0004 this is a zip file, not a network"u8.ToArray()));
        Assert.Contains("not a Microsoft.ML.Lstm network", error.Message);
    }

    [Fact]
    public void LoadRejectsANewerFormat()
    {
        byte[] bytes = Save(new SequenceNetwork<float>(Spec, seed: 3, threads: 1));
        bytes[8] = 99; // the format version follows the 8-byte magic
        var error = Assert.Throws<InvalidDataException>(() => Load(bytes));
        Assert.Contains("format version 99", error.Message);
    }
}
