using Microsoft.ML.Data;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;
using static Microsoft.ML.Lstm.Tests.MLNet.TaggingTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>Every bad input to the tagger fails with a message naming the column, the row and what was expected; in training, before any epoch.</summary>
public class LstmTaggerBadInputTests
{
    private readonly MLContext mlContext = new(seed: 1);
    private readonly TaggedSentence[] sentences = Sentences(6, seed: 1, testNames: false);
    private readonly ITransformer keys;
    private int epochsReported;

    public LstmTaggerBadInputTests() =>
        keys = MapKeys(mlContext, mlContext.Data.LoadFromEnumerable(Sentences(6, seed: 1, testNames: false)));

    private LstmTaggerTrainer Trainer(string? characterColumnName = "Tokens", Action<LstmTaggerTrainer.Options>? configure = null)
    {
        var options = Tiny(characterColumnName, epochs: 1);
        options.Progress = new EpochReports(_ => epochsReported++);
        configure?.Invoke(options);
        return mlContext.MulticlassClassification.Trainers.LstmTagger(options);
    }

    /// <summary>The rows with tokens and tags mapped to keys by a mapping fitted on the sentences before any test changed them.</summary>
    private IDataView Mapped<TRow>(TRow[] rows) where TRow : class => keys.Transform(mlContext.Data.LoadFromEnumerable(rows));

    /// <summary>The rows with tokens and tags mapped to keys by a mapping fitted on them.</summary>
    private IDataView MappedByThemselves(TaggedSentence[] rows) =>
        MapKeys(mlContext, mlContext.Data.LoadFromEnumerable(rows)).Transform(mlContext.Data.LoadFromEnumerable(rows));

    private TException FitFails<TException>(IDataView data, LstmTaggerTrainer? trainer = null) where TException : Exception
    {
        var error = Assert.Throws<TException>(() => (trainer ?? Trainer()).Fit(data));
        Assert.Equal(0, epochsReported);
        return error;
    }

    [Fact]
    public void TagVectorOfAnotherLengthThanTheTokens()
    {
        sentences[1].Tags = sentences[1].Tags[..^1];

        var error = FitFails<InvalidOperationException>(Mapped(sentences));

        int tokens = sentences[1].Tokens.Length;
        Assert.Contains($"Column 'Label', row 1 of the training data: {tokens - 1} tags for {tokens} tokens; expected one tag per token.", error.Message);
    }

    [Fact]
    public void CharacterColumnOfAnotherLengthThanTheTokens()
    {
        var rows = sentences.Select(s => new SpelledSentence { Tokens = s.Tokens, Tags = s.Tags, Words = s.Tokens }).ToArray();
        rows[2].Words = ["only", "two"];

        var error = FitFails<InvalidOperationException>(Mapped(rows), Trainer(characterColumnName: "Words"));

        Assert.Contains($"Column 'Words', row 2 of the training data: 2 texts for the {rows[2].Tokens.Length} tokens of column 'TokenKeys'; expected the text of each token, one per token.", error.Message);
    }

    [Fact]
    public void CharacterColumnOfAnotherLengthThanTheTokensWhenScoring()
    {
        var rows = sentences.Select(s => new SpelledSentence { Tokens = s.Tokens, Tags = s.Tags, Words = s.Tokens }).ToArray();
        var tagger = Trainer(characterColumnName: "Words").Fit(Mapped(rows));
        rows[3].Words = [.. rows[3].Words, "extra"];

        var thrown = Assert.ThrowsAny<Exception>(() => tagger.Transform(Mapped(rows)).GetColumn<uint[]>("PredictedLabel").ToList());

        var error = ExceptionChain.Find<InvalidOperationException>(thrown);
        Assert.Contains($"Column 'Words', row 3: {rows[3].Tokens.Length + 1} texts for the {rows[3].Tokens.Length} tokens of column 'TokenKeys'", error.Message);
    }

    [Fact]
    public void EmptySentence()
    {
        sentences[4] = new TaggedSentence();

        var error = FitFails<InvalidOperationException>(Mapped(sentences));

        Assert.Contains("Column 'TokenKeys', row 4 of the training data: the sequence is empty; expected at least one token.", error.Message);
    }

    [Fact]
    public void EmptySentenceWhenScoringGetsNoTags()
    {
        var tagger = Trainer().Fit(Mapped(sentences));
        sentences[2] = new TaggedSentence();

        var scores = tagger.Transform(Mapped(sentences)).GetColumn<float[]>("Score").ToList();

        Assert.Empty(scores[2]);
        Assert.Equal(sentences[3].Tokens.Length, scores[3].Length);
    }

    [Fact]
    public void EmptyTokenTextIsOneUnknownCharacter()
    {
        var rows = sentences.Select(s => new SpelledSentence { Tokens = s.Tokens, Tags = s.Tags, Words = s.Tokens }).ToArray();
        var tagger = Trainer(characterColumnName: "Words").Fit(Mapped(rows));
        rows[0].Words = [.. rows[0].Words.Select(_ => "")];

        var scores = tagger.Transform(Mapped(rows)).GetColumn<float[]>("Score").ToList();

        Assert.Equal(rows[0].Tokens.Length, scores[0].Length);
    }

    [Fact]
    public void TagUnknownToTheLabelsKeysInTheTrainingData()
    {
        sentences[3].Tags[0] = "B-MISC";

        var error = FitFails<InvalidOperationException>(Mapped(sentences));

        Assert.Contains("Column 'Label', row 3 of the training data: the tag at step 0 is missing (key 0, a value MapValueToKey did not know); expected keys from 1 to", error.Message);
    }

    [Fact]
    public void TagUnknownToTheLabelsKeysWhenEvaluating()
    {
        var tagger = Trainer().Fit(Mapped(sentences));
        var scoredSentences = Sentences(4, seed: 2, testNames: true);
        scoredSentences[1].Tags[1] = "B-MISC";

        var scored = tagger.Transform(Mapped(scoredSentences));
        var error = Assert.Throws<InvalidOperationException>(() => mlContext.MulticlassClassification.EvaluateTagging(scored));

        Assert.Contains("Column 'Label', row 1: key 0 (missing: a tag MapValueToKey did not know) at position 1", error.Message);
    }

    [Fact]
    public void CharacterColumnOfKeysInsteadOfText()
    {
        var error = FitFails<ArgumentOutOfRangeException>(Mapped(sentences), Trainer(characterColumnName: "TokenKeys"));

        Assert.Contains("character column 'TokenKeys' is Vector<Key<UInt32, 0-", error.Message);
        Assert.Contains("expected a vector of text", error.Message);
    }

    [Fact]
    public void MissingCharacterColumn()
    {
        var error = FitFails<ArgumentOutOfRangeException>(Mapped(sentences), Trainer(characterColumnName: "Words"));

        Assert.Contains("The training data has no character column 'Words'", error.Message);
    }

    [Fact]
    public void MissingCharacterColumnWhenScoring()
    {
        var tagger = Trainer().Fit(Mapped(sentences));
        var withoutText = mlContext.Transforms.DropColumns("Tokens").Fit(Mapped(sentences)).Transform(Mapped(sentences));

        var error = Assert.ThrowsAny<Exception>(() => tagger.Transform(withoutText));

        Assert.Contains("character", error.Message);
        Assert.Contains("'Tokens'", error.Message);
    }

    [Fact]
    public void LabelThatIsOneKeyPerSentence()
    {
        var rows = new[] { new KeyLabelRow { Tokens = [1, 2], Label = 1 }, new KeyLabelRow { Tokens = [0], Label = 2 } };
        var options = Tiny(characterColumnName: null, epochs: 1);
        options.FeatureColumnName = "Tokens";

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.MulticlassClassification.Trainers.LstmTagger(options).Fit(mlContext.Data.LoadFromEnumerable(rows)));

        Assert.Contains("label column 'Label' is Key<UInt32, 0-2>", error.Message);
        Assert.Contains("expected a vector of keys of UInt32 with at least two values, one per step", error.Message);
    }

    [Fact]
    public void FeatureColumnOfTextInsteadOfKeys()
    {
        var options = Tiny(epochs: 1);
        options.FeatureColumnName = "Tokens";

        var error = FitFails<ArgumentOutOfRangeException>(Mapped(sentences), mlContext.MulticlassClassification.Trainers.LstmTagger(options));

        Assert.Contains("feature column 'Tokens' is Vector<String>", error.Message);
        Assert.Contains("expected a vector of keys", error.Message);
    }

    [Fact]
    public void GetOutputSchemaRejectsACharacterColumnThatIsNotText()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(characterColumnName: "TokenKeys").GetOutputSchema(ShapeOf(Mapped(sentences).Schema)));

        Assert.Contains("Character column 'TokenKeys': expected a vector of text", error.Message);
    }

    [Fact]
    public void TagsThatMixSchemes()
    {
        sentences[0].Tags[^1] = "LOC";

        var error = FitFails<ArgumentException>(MappedByThemselves(sentences));

        Assert.Contains("label column 'Label' does not follow one tag scheme", error.Message);
        Assert.Contains("mix scheme prefixes", error.Message);
        Assert.Contains("'LOC'", error.Message);
    }

    [Fact]
    public void TagsThatMixSchemesTrainWithASoftmax()
    {
        sentences[0].Tags[^1] = "LOC";

        var tagger = Trainer(configure: options => options.UseCrf = false).Fit(MappedByThemselves(sentences));

        Assert.False(tagger.UsesCrf);
    }

    [Fact]
    public void SentenceThatBreaksItsSchemesRules()
    {
        // IOBES: an entity of several tokens ends with E-; "B-PER O" leaves one open.
        var rows = new[]
        {
            new TaggedSentence { Tokens = ["Ann", "Lee", "came"], Tags = ["B-PER", "E-PER", "O"] },
            new TaggedSentence { Tokens = ["Bo", "came"], Tags = ["S-PER", "O"] },
            new TaggedSentence { Tokens = ["Cy", "Ray", "came"], Tags = ["B-PER", "O", "O"] },
        };
        var error = FitFails<InvalidOperationException>(MappedByThemselves(rows));

        Assert.Contains("Column 'Label', row 2 of the training data: 'O' at step 1 follows 'B-PER', which the IOBES scheme of its tags does not allow", error.Message);
        Assert.Contains("UseCrf", error.Message);
    }

    [Fact]
    public void MaxSequenceLengthIsRefused()
    {
        var options = Tiny(epochs: 1);
        options.MaxSequenceLength = 5;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.MulticlassClassification.Trainers.LstmTagger(options));

        Assert.Equal("MaxSequenceLength", error.ParamName);
        Assert.Contains("tags every token", error.Message);
    }

    [Fact]
    public void CharacterSizeOutOfRangeIsRefused()
    {
        var options = Tiny(epochs: 1);
        options.CharacterHiddenSize = 0;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.MulticlassClassification.Trainers.LstmTagger(options));

        Assert.Equal("CharacterHiddenSize", error.ParamName);
    }
}

/// <summary>A sentence whose character column is a column of its own.</summary>
public sealed class SpelledSentence
{
    public string[] Tokens { get; set; } = [];

    public string[] Tags { get; set; } = [];

    public string[] Words { get; set; } = [];
}
