using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>The one model file a transformer saves: its own sections and the network's, under one checksum.</summary>
public class SequenceTransformerFileTests
{
    [Fact]
    public void RoundTripsTheFeatureColumnTheNetworkAndTheClassNames()
    {
        var features = new SequenceFeatures("Sequence", SequenceInput.FloatSteps(FeaturesPerStep), MaxSequenceLength: 7);
        SequenceModel network = MulticlassNetwork();
        using var stream = new MemoryStream();
        SequenceTransformerFile.Write(stream, network, features, file => SequenceTransformerFile.WriteClassNames(file, ["low", "middle", "high"]));
        stream.Position = 0;

        SequenceTransformerFile read = SequenceTransformerFile.Read(stream);

        Assert.Equal(features, read.Features);
        Assert.Equal(["low", "middle", "high"], read.ReadClassNames());
        float[] sequence = [0.3f, -0.2f, 0.9f, 0.1f];
        Assert.Equal(Bits(Predict(network, [sequence])[0]), Bits(Predict(read.Model, [sequence])[0]));
    }

    [Fact]
    public void SectionsAreTheTransformersTheNetworksAndTheExtras()
    {
        using var stream = new MemoryStream();
        SequenceTransformerFile.Write(stream, BinaryNetwork(), FloatFeatures(), file => file.Section("transformer.extra").WriteInt32(1));
        stream.Position = 0;

        ModelFile file = ModelFile.Read(stream, maxBytes: int.MaxValue);

        Assert.Equal(["transformer", "network.spec", "network.encoder", "network.head", "transformer.extra"], file.SectionNames);
    }

    [Fact]
    public void ReadRefusesAFeatureColumnTheNetworkDoesNotRead()
    {
        var tokens = new SequenceFeatures("Tokens", SequenceInput.TokenKeys(5), 0);
        using var stream = new MemoryStream();
        SequenceTransformerFile.Write(stream, BinaryNetwork(), tokens, _ => { });
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => SequenceTransformerFile.Read(stream));

        Assert.Equal("The feature column 'Tokens' holds keys of 5 tokens, but the network reads steps of 2 values.", error.Message);
    }

    [Fact]
    public void ReadRefusesAFileWithoutTheTransformerSection()
    {
        var writer = new ModelFileWriter();
        BinaryNetwork().Save(writer);
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => SequenceTransformerFile.Read(stream));

        Assert.Contains("no section 'transformer'", error.Message);
    }

    [Fact]
    public void ReadRefusesAnImpossibleFeatureColumn()
    {
        var writer = new ModelFileWriter();
        ModelSectionWriter transformer = writer.Section(SequenceTransformerFile.TransformerSection);
        transformer.WriteString("Features");
        transformer.WriteEnum(SequenceInputKind.Features);
        transformer.WriteInt32(0); // no values per step
        transformer.WriteInt64(0);
        transformer.WriteInt32(0);
        BinaryNetwork().Save(writer);
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => SequenceTransformerFile.Read(stream));

        Assert.Contains("Invalid sequence input", error.Message);
    }
}
