using System.Globalization;
using System.Text;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class TextVocabularyTests
{
    private static readonly TextTokenizer Default = new(Lowercase: true, KeepPunctuation: false);

    [Fact]
    public void TokenizerSplitsWordsFoldsCaseAndDropsPunctuation() =>
        Assert.Equal(["great", "isn't", "it", "10", "10", "out", "of", "10"], Default.Split("Great, isn't it?! 10/10 -- out of 10."));

    [Fact]
    public void TokenizerKeepsPunctuationAsOneTokenPerMarkAndCaseWhenAsked() =>
        Assert.Equal(["Great", ",", "isn't", "it", "?", "!"], new TextTokenizer(Lowercase: false, KeepPunctuation: true).Split("Great, isn't it?!"));

    [Theory]
    [InlineData("don’t stop", new[] { "don’t", "stop" })] // a typographic apostrophe inside a word
    [InlineData("'quoted' rock'n'roll", new[] { "quoted", "rock'n'roll" })] // quotes around a word are punctuation
    [InlineData("Café NAÏVE", new[] { "café", "naïve" })]
    [InlineData("tabs\tand\r\nnew lines", new[] { "tabs", "and", "new", "lines" })]
    [InlineData("   ", new string[0])]
    [InlineData("?!...", new string[0])]
    public void TokenizerSplitsTheseTexts(string text, string[] expected) => Assert.Equal(expected, Default.Split(text));

    [Fact]
    public void NormalizeFoldsEveryCharacterAsToLowerInvariantDoes()
    {
        // Every character of the Basic Multilingual Plane, each between ASCII letters, so that the ASCII runs the
        // tokenizer folds many at a time start and stop around every other character.
        var text = new StringBuilder();
        for (int code = 0; code <= char.MaxValue; code++)
            text.Append("Ab").Append((char)code);
        string all = text.ToString();
        var normalized = new char[all.Length];

        Default.Normalize(all, normalized);

        for (int i = 0; i < all.Length; i++)
            Assert.True(char.ToLowerInvariant(all[i]) == normalized[i], $"U+{(int)all[i]:X4} was folded to U+{(int)normalized[i]:X4}.");
        Assert.Equal(all, new string(new TextTokenizer(Lowercase: false, KeepPunctuation: false).Normalize(all, normalized)));
    }

    [Fact]
    public void WordCharactersAreLettersDigitsCombiningMarksAndSurrogatesOnEveryCharacter()
    {
        for (int code = 0; code <= char.MaxValue; code++)
        {
            char character = (char)code;
            bool expected = char.IsLetterOrDigit(character) || char.GetUnicodeCategory(character) is UnicodeCategory.NonSpacingMark
                or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Surrogate;
            Assert.True(expected == TextTokenizer.IsWordCharacter(character), $"U+{code:X4}");
        }
    }

    [Theory]
    [InlineData("ÉCOLE d'été, STRASSE Straße; İstanbul ǅemal ΣΟΦΙΑ")]
    [InlineData("Ω1 ½ x²y ١٢٣ café\u0301 😀ok don’t")]
    [InlineData("plain ASCII, only: Great movie!")]
    public void TokenizerSplitsMixedTextsAsACharacterByCharacterReadingDoes(string text) =>
        Assert.Equal(CharacterByCharacterSplit(text), Default.Split(text));

    /// <summary>The tokenizer's rules read one character at a time, with no ASCII shortcut: what the fast path must equal.</summary>
    private static List<string> CharacterByCharacterSplit(string text)
    {
        static bool IsWord(char c) => char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Surrogate;
        string folded = string.Concat(text.Select(char.ToLowerInvariant));
        var words = new List<string>();
        for (int i = 0; i < folded.Length;)
        {
            if (!IsWord(folded[i]))
            {
                i++;
                continue;
            }
            int start = i++;
            while (i < folded.Length && (IsWord(folded[i]) || (folded[i] is '\'' or '\u2019' && i + 1 < folded.Length && IsWord(folded[i + 1]))))
                i++;
            words.Add(folded[start..i]);
        }
        return words;
    }

    [Fact]
    public void VocabularyOrdersWordsByCountThenOrdinallyAndMapsOthersToTheUnknownId()
    {
        var builder = new TextVocabulary.Builder(Default);
        builder.Add("b a b c");
        builder.Add("B a d");

        TextVocabulary vocabulary = builder.Build(minimumCount: 1, maximumSize: 0);

        Assert.Equal(["b", "a", "c", "d"], vocabulary.Words);
        Assert.Equal(4, vocabulary.UnknownId);
        char[] buffer = [];
        int[] ids = [];
        int count = vocabulary.Encode("A zebra, B!", ref buffer, ref ids);
        Assert.Equal([1, 4, 0], ids[..count]);
    }

    [Fact]
    public void MinimumCountAndMaximumSizeLeaveRareWordsOut()
    {
        var builder = new TextVocabulary.Builder(Default);
        builder.Add("x x x y y z w");

        Assert.Equal(["x", "y"], builder.Build(minimumCount: 2, maximumSize: 0).Words);
        Assert.Equal(["x"], builder.Build(minimumCount: 1, maximumSize: 1).Words);
        Assert.Empty(builder.Build(minimumCount: 4, maximumSize: 0).Words);
    }

    [Fact]
    public void CaseIsKeptWhenLowercaseIsOff()
    {
        var builder = new TextVocabulary.Builder(new TextTokenizer(Lowercase: false, KeepPunctuation: false));
        builder.Add("Good good GOOD");

        Assert.Equal(["GOOD", "Good", "good"], builder.Build(1, 0).Words);
    }

    [Fact]
    public void EncodeOfABlankTextGivesNoTokens()
    {
        var builder = new TextVocabulary.Builder(Default);
        Assert.Equal(0, builder.Add(" , "));
        builder.Add("word");
        char[] buffer = [];
        int[] ids = [];

        Assert.Equal(0, builder.Build(1, 0).Encode("  ?  ", ref buffer, ref ids));
    }

    [Fact]
    public void WriteAndReadGiveTheSameVocabulary()
    {
        var builder = new TextVocabulary.Builder(new TextTokenizer(Lowercase: false, KeepPunctuation: true));
        builder.Add("Ünïcode words, and 😀 emoji!");
        TextVocabulary vocabulary = builder.Build(1, 0);
        var file = new ModelFileWriter();
        vocabulary.Write(file.Section("text"));
        using var stream = new MemoryStream();
        file.WriteTo(stream);
        stream.Position = 0;

        TextVocabulary read = TextVocabulary.Read(ModelFile.Read(stream, maxBytes: 1 << 20).Open("text"));

        Assert.Equal(vocabulary, read);
        Assert.Equal(vocabulary.Tokenizer, read.Tokenizer);
    }

    [Theory]
    [InlineData(new[] { "a", "a" }, "twice")]
    [InlineData(new[] { "a", "" }, "empty")]
    public void ReadRefusesAMalformedVocabulary(string[] words, string expected)
    {
        var file = new ModelFileWriter();
        ModelSectionWriter section = file.Section("text");
        section.WriteBoolean(true);
        section.WriteBoolean(false);
        section.WriteInt32(words.Length);
        foreach (string word in words)
            section.WriteString(word);
        using var stream = new MemoryStream();
        file.WriteTo(stream);
        stream.Position = 0;
        ModelSectionReader reader = ModelFile.Read(stream, maxBytes: 1 << 20).Open("text");

        var error = Assert.Throws<InvalidDataException>(() => TextVocabulary.Read(reader));
        Assert.Contains(expected, error.Message);
    }
}
