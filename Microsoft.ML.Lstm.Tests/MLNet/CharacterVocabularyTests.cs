using System.Text;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class CharacterVocabularyTests
{
    private static CharacterVocabulary Built(int maxKnown, params string[] tokens)
    {
        var counts = new Dictionary<int, long>();
        foreach (string token in tokens)
            CharacterVocabulary.Count(token, counts);
        return CharacterVocabulary.FromCounts(counts, maxKnown);
    }

    [Fact]
    public void IdsGoFromTheMostFrequentCharacterDownWithZeroForUnknown()
    {
        var vocabulary = Built(CharacterVocabulary.MaxKnownCharacters, "banana", "cab");

        // a ×4, b ×2, n ×2 (b before n by code point), c ×1.
        Assert.Equal("abnc", string.Concat(vocabulary.Characters));
        Assert.Equal(5, vocabulary.Size);
        Assert.Equal([3, 1, 3, 1, 0], vocabulary.Encode("nanaz"));
    }

    [Fact]
    public void TheCapKeepsTheMostFrequentCharacters()
    {
        var vocabulary = Built(2, "banana", "cab");

        Assert.Equal("ab", string.Concat(vocabulary.Characters));
        Assert.Equal([2, 1, 0, 1, 0, 1], vocabulary.Encode("banana"));
    }

    [Fact]
    public void AnEmptyTokenIsOneUnknownCharacter()
    {
        Assert.Equal([CharacterVocabulary.UnknownId], Built(10, "abc").Encode(""));
    }

    [Fact]
    public void AnEmojiIsOneCharacterNotTwoHalves()
    {
        var vocabulary = Built(10, "hi😀");

        Assert.Equal(4, vocabulary.Size);
        int[] ids = vocabulary.Encode("😀h");
        Assert.Equal(2, ids.Length);
        Assert.Equal(new Rune(0x1F600), vocabulary.Characters.ElementAt(ids[0] - 1));
    }

    [Fact]
    public void RoundTripsThroughAModelSection()
    {
        var vocabulary = Built(10, "Zürich", "😀");

        CharacterVocabulary read = CharacterVocabulary.Read(Section(section => vocabulary.Write(section)));

        Assert.Equal(vocabulary, read);
        Assert.Equal(vocabulary.Encode("Zug😀"), read.Encode("Zug😀"));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(CharacterVocabulary.MaxKnownCharacters + 1)]
    public void ReadRefusesACountOutOfRange(int count)
    {
        var error = Assert.Throws<InvalidDataException>(() => CharacterVocabulary.Read(Section(section => section.WriteInt32(count))));

        Assert.Contains("known characters", error.Message);
    }

    [Fact]
    public void ReadRefusesASurrogateHalf()
    {
        var error = Assert.Throws<InvalidDataException>(() => CharacterVocabulary.Read(Section(section =>
        {
            section.WriteInt32(1);
            section.WriteInt32(0xD800);
        })));

        Assert.Contains("U+D800, not a Unicode scalar value", error.Message);
    }

    [Fact]
    public void ReadRefusesACharacterGivenTwice()
    {
        var error = Assert.Throws<InvalidDataException>(() => CharacterVocabulary.Read(Section(section =>
        {
            section.WriteInt32(2);
            section.WriteInt32('a');
            section.WriteInt32('a');
        })));

        Assert.Contains("U+0061 twice", error.Message);
    }

    [Fact]
    public void ReadRefusesATruncatedList()
    {
        var error = Assert.Throws<InvalidDataException>(() => CharacterVocabulary.Read(Section(section =>
        {
            section.WriteInt32(3);
            section.WriteInt32('a');
        })));

        Assert.Contains("known characters", error.Message);
    }

    /// <summary>A section written by <paramref name="write"/>, opened for reading as a model file would.</summary>
    private static ModelSectionReader Section(Action<ModelSectionWriter> write)
    {
        var writer = new ModelFileWriter();
        write(writer.Section("characters"));
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        stream.Position = 0;
        return ModelFile.Read(stream, maxBytes: int.MaxValue).Open("characters");
    }
}
