using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Tests.Networks;
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

    /// <summary>A tagger's network over 5 token keys that spells each token with 3 character ids and reads 4 word-shape values.</summary>
    private static SequenceModel SpellingNetwork() => SequenceModel.FromNetwork(new SequenceNetwork<float>(
        NetworkSpecs.Crf(NetworkSpecs.Tokens(6, 3, 4) with
        {
            CharacterVocabularySize = 3, CharacterEmbeddingSize = 2, CharacterHiddenSize = 2, ExtraFeaturesPerStep = WordShape.FeatureCount,
        }, NetworkSpecs.BioCrf(types: 1)), seed: 1, threads: 1));

    private static SequenceCharacters TwoCharacters(bool wordShapes = true)
    {
        var counts = new Dictionary<int, long>();
        CharacterVocabulary.Count("aab", counts);
        return new SequenceCharacters("Words", CharacterVocabulary.FromCounts(counts), wordShapes);
    }

    [Fact]
    public void RoundTripsTheCharacterColumnAndItsVocabulary()
    {
        var features = new SequenceFeatures("Tokens", SequenceInput.TokenKeys(5), 0) { Characters = TwoCharacters() };
        SequenceModel network = SpellingNetwork();
        using var stream = new MemoryStream();
        SequenceTransformerFile.Write(stream, network, features, _ => { });
        stream.Position = 0;

        SequenceTransformerFile read = SequenceTransformerFile.Read(stream);

        Assert.Equal(features, read.Features);
        Assert.Equal("Words", read.Features.Characters!.ColumnName);
        Assert.Equal(["a", "b"], read.Features.Characters.Vocabulary.Characters.Select(c => c.ToString()));
        int[] tokens = [1, 4, 0];
        int[][] characters = [[1, 2], [0], [2, 2, 1]];
        float[] shapes = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
        var expected = new float[network.PredictionCount(3)];
        var actual = new float[expected.Length];
        network.Predict(tokens, characters, shapes, expected);
        read.Model.Predict(tokens, characters, shapes, actual);
        Assert.Equal(Bits(expected), Bits(actual));
    }

    [Fact]
    public void ReadRefusesASpellingNetworkWithoutItsCharacterColumn()
    {
        using var stream = new MemoryStream();
        SequenceTransformerFile.Write(stream, SpellingNetwork(), new SequenceFeatures("Tokens", SequenceInput.TokenKeys(5), 0), _ => { });
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => SequenceTransformerFile.Read(stream));

        Assert.Contains("but the network reads 6 token ids (keys of 5 tokens and the unknown token) and 4 more values per step and each token's characters (3 character ids)", error.Message);
    }

    [Fact]
    public void ReadRefusesCharactersTheNetworkDoesNotRead()
    {
        var features = new SequenceFeatures("Tokens", SequenceInput.TokenKeys(5), 0) { Characters = TwoCharacters(wordShapes: false) };
        using var stream = new MemoryStream();
        SequenceTransformerFile.Write(stream, SpellingNetwork(), features, _ => { });
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => SequenceTransformerFile.Read(stream));

        Assert.Equal(
            "The character column 'Words' gives 3 character ids and 0 word-shape values per token, but the network reads 3 character ids and 4 extra values per token.",
            error.Message);
    }
}
