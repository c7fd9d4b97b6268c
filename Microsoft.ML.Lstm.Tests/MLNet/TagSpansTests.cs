using Microsoft.ML.Lstm.MLNet;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class TagSpansTests
{
    /// <summary>The entities of a sentence written as space-separated tags, as "type[start,end)".</summary>
    private static string[] Entities(string sentence)
    {
        string[] tags = sentence.Split(' ');
        var scheme = TagScheme.Create(TagScheme.DetectLetters([.. tags.Distinct()]), [.. tags.Distinct()]);
        var spans = new List<TagSpan>();
        TagSpans.Extract([.. tags.Select(tag => scheme.Tags.ToList().IndexOf(tag))], scheme, spans);
        return [.. spans.Select(span => $"{scheme.EntityTypes[span.EntityType]}[{span.Start},{span.End})")];
    }

    [Theory]
    [InlineData("B-PER I-PER O B-LOC", "PER[0,2)", "LOC[3,4)")]
    [InlineData("O I-PER I-PER O", "PER[1,3)")] // I- without B- begins an entity
    [InlineData("I-PER", "PER[0,1)")]
    [InlineData("B-PER I-PER B-PER", "PER[0,2)", "PER[2,3)")] // adjacent entities of one type split at B-
    [InlineData("B-PER I-LOC I-LOC", "PER[0,1)", "LOC[1,3)")] // a change of type ends one and begins another
    [InlineData("I-PER I-PER B-PER O I-LOC", "PER[0,2)", "PER[2,3)", "LOC[4,5)")] // IOB1
    [InlineData("B-PER I-PER E-PER S-LOC O S-PER", "PER[0,3)", "LOC[3,4)", "PER[5,6)")] // IOBES
    [InlineData("B-PER E-PER E-PER", "PER[0,2)", "PER[2,3)")] // E- after E- begins an entity
    [InlineData("S-PER I-PER E-PER", "PER[0,1)", "PER[1,3)")] // I- after S- begins an entity
    [InlineData("B-PER B-PER", "PER[0,1)", "PER[1,2)")]
    [InlineData("B-PER I-PER", "PER[0,2)")] // IOBES without its E-: the sentence end closes it
    [InlineData("U-PER B-LOC L-LOC", "PER[0,1)", "LOC[1,3)")] // BILOU
    [InlineData("NN NN O VB", "NN[0,1)", "NN[1,2)", "VB[3,4)")] // plain: one token each
    [InlineData("O O")]
    public void EntitiesByConllevalRules(string sentence, params string[] expected)
    {
        Assert.Equal(expected, Entities(sentence));
    }

    public static TheoryData<string, bool> Alphabets => new()
    {
        { "O B-A I-A B-B I-B", false },
        { "O B-A I-A E-A S-A B-B I-B E-B S-B", false },
        { "O B-A I-A L-A U-A B-B I-B L-B U-B", false },
        { "O NN VB DT", true },
    };

    /// <summary>
    /// On random sentences, valid or not, the span-based counts equal those of conlleval's own counting loop, type
    /// by type: labelled, predicted and correct entities, and correct tags.
    /// </summary>
    [Theory]
    [MemberData(nameof(Alphabets))]
    public void CountsMatchConllevalOnRandomSentences(string alphabet, bool raw)
    {
        string[] letters = alphabet.Split(' ');
        var random = new Random(17);
        var gold = new List<string[]>();
        var predicted = new List<string[]>();
        for (int sentence = 0; sentence < 400; sentence++)
        {
            int length = random.Next(0, 9);
            string[] goldTags = [.. Enumerable.Range(0, length).Select(_ => letters[random.Next(letters.Length)])];
            // Mostly the labels with a few changes, so that many entities are right and many nearly right.
            string[] predictedTags = [.. goldTags.Select(tag => random.NextDouble() < 0.2 ? letters[random.Next(letters.Length)] : tag)];
            gold.Add(goldTags);
            predicted.Add(predictedTags);
        }

        var metrics = TaggingEvaluator.Evaluate(gold, predicted);
        var conlleval = ConllevalOracle.Run(ToIobes(gold), ToIobes(predicted), raw);

        Assert.Equal(conlleval.FoundCorrect, metrics.GoldEntityCount);
        Assert.Equal(conlleval.FoundGuessed, metrics.PredictedEntityCount);
        Assert.Equal(conlleval.CorrectChunk, metrics.CorrectEntityCount);
        Assert.Equal(conlleval.CorrectTags, metrics.CorrectTagCount);
        Assert.Equal(conlleval.TokenCounter, metrics.TokenCount);
        Assert.True(metrics.CorrectEntityCount > 100, $"only {metrics.CorrectEntityCount} correct entities");
        Assert.Equal(conlleval.FoundCorrectByType.Keys.Union(conlleval.FoundGuessedByType.Keys).Order(StringComparer.Ordinal), metrics.PerEntityType.Keys);
        foreach ((string type, TaggingEntityMetrics byType) in metrics.PerEntityType)
        {
            Assert.Equal(conlleval.FoundCorrectByType.GetValueOrDefault(type), byType.GoldCount);
            Assert.Equal(conlleval.FoundGuessedByType.GetValueOrDefault(type), byType.PredictedCount);
            Assert.Equal(conlleval.CorrectChunkByType.GetValueOrDefault(type), byType.CorrectCount);
        }
    }

    /// <summary>BILOU's L and U as IOBES's E and S, which conlleval's extended rules read.</summary>
    private static List<string[]> ToIobes(List<string[]> sentences) =>
        [.. sentences.Select(tags => tags.Select(tag => tag.StartsWith("L-") ? "E-" + tag[2..] : tag.StartsWith("U-") ? "S-" + tag[2..] : tag).ToArray())];
}
