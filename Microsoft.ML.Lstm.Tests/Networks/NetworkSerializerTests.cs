using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class NetworkSerializerTests
{
    /// <summary>A model file of format version 1 committed to the repository, and what its network predicts.</summary>
    private const string CommittedModel = "Fixtures/network_v1.bin";

    private static readonly NetworkSpec Spec = Pooled(Tokens(30, 6, 5, CellType.PeepholeLstm, layers: 2, bidirectional: true), PoolingMode.Attention, 3, LossKind.SoftmaxCrossEntropy);

    private static readonly int[][] Sequences = [[1, 2, 3], [4, 5], [6, 7, 8, 9]];

    [Fact]
    public void RoundTripGivesIdenticalWeightsAndPredictions()
    {
        NetworkSpec[] specs =
        [
            Spec,
            StepSoftmax(Features(2, 4, CellType.Gru, layers: 2), 5),
            Spec with { Head = new PooledHeadSpec { OutputSize = 3, ClassWeights = [1f, 2f, 0.5f], Dropout = 0.25 } },
            Crf(Tokens(30, 6, 5, bidirectional: true), BioCrf(types: 3, dropout: 0.1)),
            Crf(Features(2, 4, CellType.Gru), new CrfHeadSpec { ClassCount = 4, AllowedEnds = [true, false, true, true] }),
        ];
        foreach (NetworkSpec spec in specs)
        {
            var network = new SequenceNetwork<float>(spec, seed: 3, threads: 1);
            var loaded = SavedNetworks.RoundTrip(network);

            Assert.Equal(network.Spec, loaded.Spec);
            Assert.Equal(network.Parameters.Values, loaded.Parameters.Values);
            var batch = Batch<float>(spec.Encoder, [3, 2, 4], new Random(1));
            Assert.Equal(network.Predict(batch).ToArray(), loaded.Predict(batch).ToArray());
        }
    }

    [Fact]
    public void SavingTwiceWritesTheSameBytes()
    {
        var network = new SequenceNetwork<float>(Spec, seed: 3, threads: 1);
        Assert.Equal(SavedNetworks.Save(network), SavedNetworks.Save(SavedNetworks.RoundTrip(network)));
    }

    [Fact]
    public void LoadsTheCommittedModelOfFormatVersion1()
    {
        // Written once by WriteCommittedModel below; a later format must keep reading it, or refuse it by name.
        var network = SavedNetworks.Load(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, CommittedModel)));
        Assert.Equal(Spec, network.Spec);
        float[] predictions = network.Predict(SequenceBatch<float>.FromTokens(Sequences)).ToArray();
        float[] expected = new SequenceNetwork<float>(Spec, seed: 3, threads: 1).Predict(SequenceBatch<float>.FromTokens(Sequences)).ToArray();
        Assert.Equal(expected, predictions);
    }

    /// <summary>Rewrites the committed model: run by hand (remove Skip) only when a new format version is introduced, keeping the old file too.</summary>
    [Fact(Skip = "Writes Fixtures/network_v1.bin into the source tree; run by hand when the format changes.")]
    public void WriteCommittedModel()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", CommittedModel);
        File.WriteAllBytes(path, SavedNetworks.Save(new SequenceNetwork<float>(Spec, seed: 3, threads: 1)));
    }

    [Fact]
    public void LoadRejectsTruncatedNetwork()
    {
        byte[] bytes = SavedNetworks.Save(new SequenceNetwork<float>(Spec, seed: 3, threads: 1));
        foreach (int length in new[] { 4, 12, 20, bytes.Length / 2, bytes.Length - 1 })
        {
            var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.Load(bytes[..length]));
            Assert.Contains("truncated", error.Message);
        }
    }

    [Fact]
    public void LoadRejectsAlteredWeights()
    {
        byte[] bytes = SavedNetworks.Save(new SequenceNetwork<float>(Spec, seed: 3, threads: 1));
        bytes[bytes.Length - 40] ^= 0x10;
        var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.Load(bytes));
        Assert.Contains("damaged", error.Message);
    }

    [Fact]
    public void LoadRejectsAForeignStream()
    {
        var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.Load("PK\u0003\u0004 this is a zip file, not a network"u8.ToArray()));
        Assert.Contains("not a Microsoft.ML.Lstm model", error.Message);
    }

    [Fact]
    public void LoadRejectsACraftedHugeVocabularyWithoutAllocatingForIt()
    {
        // A valid file (checksum and all) whose spec claims 2^24 vocabulary rows of 64 values: 4 GB of weights it does not hold.
        var huge = Spec with { Encoder = Spec.Encoder with { VocabularySize = 1 << 24, EmbeddingSize = 64 } };
        byte[] bytes = SpecOnly(huge);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.Load(bytes));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated for weights the file does not hold");
        Assert.Contains("encoder weights", error.Message);
    }

    [Fact]
    public void LoadRejectsACraftedLayerCountBeyondTheLimit()
    {
        byte[] bytes = SpecOnly(Spec with { Encoder = Spec.Encoder with { LayerCount = 1_000_000 } });
        var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.Load(bytes));
        Assert.Contains("layer count", error.Message);
    }

    [Fact]
    public void LoadRejectsNonFiniteWeights()
    {
        var network = new SequenceNetwork<float>(Spec, seed: 3, threads: 1);
        network.Parameters.Values[7] = float.NaN;
        var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.RoundTrip(network));
        Assert.Contains("finite", error.Message);
    }

    [Fact]
    public void LoadRejectsAnUnknownHeadByName()
    {
        byte[] bytes = SpecOnly(Spec);
        // The head's kind is written after the encoder's fields; rename it in place (same length) and fix the checksum.
        int at = bytes.AsSpan().IndexOf("pooled-dense"u8);
        "crystal-ball"u8.CopyTo(bytes.AsSpan(at));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
        var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.Load(bytes));
        Assert.Contains("'crystal-ball'", error.Message);
    }

    [Fact]
    public void LoadRejectsCrfConstraintsThatAllowNoPath()
    {
        // Only tag 0 may start, only tag 1 may end: no sequence of one step can be tagged.
        var head = new CrfHeadSpec { ClassCount = 2, AllowedStarts = [true, false], AllowedEnds = [false, true] };
        var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.Load(SpecOnly(Spec with { Head = head })));
        Assert.Contains("no tag path of length 1", error.Message);
    }

    [Fact]
    public void LoadRejectsACraftedCrfTagCountBeyondTheLimit()
    {
        var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.Load(SpecOnly(Spec with { Head = new CrfHeadSpec { ClassCount = 1 << 20 } })));
        Assert.Contains("CRF tags", error.Message);
    }

    [Fact]
    public void LoadRejectsCrfConstraintsTheFileDoesNotHold()
    {
        // The most tags, then "there are allowed transitions" with none of their K² flags behind it.
        byte[] bytes = SpecOnly(Spec with { Head = new CrfHeadSpec { ClassCount = CrfHeadSpec.MaxClassCount } });
        int flag = bytes.AsSpan().IndexOf("\u0003\0\0\0crf"u8) + 7 + sizeof(double) + sizeof(int);
        bytes[flag] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => SavedNetworks.Load(bytes));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated for flags the file does not hold");
        Assert.Contains("allowed transitions", error.Message);
    }

    /// <summary>A file holding a spec section for <paramref name="spec"/> and parameter sections that list nothing.</summary>
    private static byte[] SpecOnly(NetworkSpec spec)
    {
        var file = new ModelFileWriter();
        NetworkSerializer.WriteSpec(file.Section("network.spec"), spec);
        file.Section("network.encoder").WriteInt32(0);
        file.Section("network.head").WriteInt32(0);
        using var stream = new MemoryStream();
        file.WriteTo(stream);
        return stream.ToArray();
    }
}
