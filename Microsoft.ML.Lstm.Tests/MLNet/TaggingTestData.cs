using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// A generated named-entity corpus for the tagger tests: lower-case template sentences whose slots hold made-up
/// people, places and organisations, tagged in BIO. The slots do not say which kind of entity fills them ("we talked
/// about X"), so only a name's spelling does: people are a first name ending in a or o and a surname ending in son or
/// sen (B-PER I-PER), places one word ending in ville, burg or ford (B-LOC), organisations an upper-case acronym
/// (B-ORG). Names are drawn from a pool split in two, so the test sentences' names never occur in training.
/// </summary>
internal static class TaggingTestData
{
    /// <summary>The tags in the order <c>MapValueToKey</c> meets them in the training sentences (its keys 1, 2, …).</summary>
    public static readonly string[] Tags = ["O", "B-PER", "I-PER", "B-LOC", "B-ORG"];

    private static readonly string[] Syllables = ["ka", "lo", "mi", "ra", "ten", "vo", "su", "ne", "dal", "bri", "zo", "fen", "gu", "pa", "ri", "sol", "tam", "ve"];
    private static readonly string[][] Templates =
    [
        ["yesterday", "we", "met", "with", "#", "again"],
        ["we", "talked", "about", "#", "for", "hours"],
        ["#", "was", "in", "the", "news", "today"],
        ["everyone", "here", "likes", "#"],
        ["the", "report", "mentions", "#", "and", "#"],
        ["i", "heard", "that", "#", "is", "doing", "well"],
        ["#", "and", "#", "were", "there"],
    ];

    /// <summary>A corpus of <paramref name="count"/> sentences whose names come from one half of the name pool (<paramref name="testNames"/> picks which).</summary>
    public static TaggedSentence[] Sentences(int count, int seed, bool testNames)
    {
        var random = new Random(seed);
        var sentences = new TaggedSentence[count];
        for (int i = 0; i < count; i++)
        {
            string[] template = Templates[random.Next(Templates.Length)];
            var tokens = new List<string>();
            var tags = new List<string>();
            foreach (string word in template)
            {
                if (word != "#")
                {
                    tokens.Add(word);
                    tags.Add("O");
                    continue;
                }
                (string[] name, string type) = Entity(random, testNames);
                for (int t = 0; t < name.Length; t++)
                {
                    tokens.Add(name[t]);
                    tags.Add((t == 0 ? "B-" : "I-") + type);
                }
            }
            sentences[i] = new TaggedSentence { Tokens = [.. tokens], Tags = [.. tags] };
        }
        return sentences;
    }

    /// <summary>One entity's tokens and type. A name's first syllable is even in training and odd in the test split, so the two never share a name.</summary>
    private static (string[] Tokens, string Type) Entity(Random random, bool testNames)
    {
        string Stem()
        {
            int first = 2 * random.Next(Syllables.Length / 2) + (testNames ? 1 : 0);
            return Syllables[first] + Syllables[random.Next(Syllables.Length)];
        }
        static string Capital(string word) => char.ToUpperInvariant(word[0]) + word[1..];
        return random.Next(3) switch
        {
            0 => ([Capital(Stem() + (random.Next(2) == 0 ? "a" : "o")), Capital(Stem() + (random.Next(2) == 0 ? "son" : "sen"))], "PER"),
            1 => ([Capital(Stem() + new[] { "ville", "burg", "ford" }[random.Next(3)])], "LOC"),
            _ => ([Stem().ToUpperInvariant()], "ORG"),
        };
    }

    /// <summary>
    /// Tokens and tags → keys: token keys in "TokenKeys", tag keys in "Label" (the tokens as written stay in "Tokens" for
    /// the character column), both mapped on <paramref name="training"/>.
    /// </summary>
    public static ITransformer MapKeys(MLContext mlContext, IDataView training) =>
        mlContext.Transforms.Conversion.MapValueToKey("TokenKeys", "Tokens")
            .Append(mlContext.Transforms.Conversion.MapValueToKey("Label", "Tags"))
            .Fit(training);

    /// <summary>A small tagger trained briefly on one thread, so that a fit takes about a second and repeats exactly.</summary>
    public static LstmTaggerTrainer.Options Tiny(string? characterColumnName = "Tokens", int epochs = 8, bool useCrf = true) => new()
    {
        LabelColumnName = "Label",
        FeatureColumnName = "TokenKeys",
        CharacterColumnName = characterColumnName,
        UseCrf = useCrf,
        EmbeddingSize = 8,
        HiddenSize = 16,
        CharacterEmbeddingSize = 8,
        CharacterHiddenSize = 8,
        Epochs = epochs,
        BatchSize = 8,
        LearningRate = 0.02,
        Dropout = 0,
        ValidationFraction = 0,
        NumberOfThreads = 1,
    };
}

/// <summary>A sentence: its tokens as written and one tag per token.</summary>
public sealed class TaggedSentence
{
    public string[] Tokens { get; set; } = [];

    public string[] Tags { get; set; } = [];
}

/// <summary>A sentence to tag, as a PredictionEngine takes it.</summary>
public sealed class Sentence
{
    public string[] Tokens { get; set; } = [];
}

/// <summary>A tagger's output after MapKeyToValue, as a PredictionEngine returns it.</summary>
public sealed class TaggedPrediction
{
    public string[] PredictedTags { get; set; } = [];

    public float[] Score { get; set; } = [];
}
