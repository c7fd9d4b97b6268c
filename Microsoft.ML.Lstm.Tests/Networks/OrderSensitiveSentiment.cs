using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// A generated sentiment task that only an order-aware model can solve: "[not] adj1 … but [not] adj2",
/// labelled by the clause after "but", where the two clauses always disagree. Every bag of words that
/// occurs is labelled positive and negative equally often (e.g. one "not" with two positive adjectives
/// is positive when the first clause is negated and negative when the second is), so a bag-of-words
/// model cannot beat chance, while reading in order solves it.
/// </summary>
internal static class OrderSensitiveSentiment
{
    public static readonly string[] Vocabulary =
    [
        "<unk>", "good", "great", "fine", "nice", "excellent", "bad", "awful", "poor", "terrible", "boring",
        "not", "but", "the", "food", "was", "really", "movie", "service", "is", "very", "and", "it",
    ];

    private static readonly int[] Positive = [1, 2, 3, 4, 5];
    private static readonly int[] Negative = [6, 7, 8, 9, 10];
    private static readonly int[] Fillers = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
    private const int Not = 11, But = 12;

    /// <summary>Sentences of token ids and their labels (1 positive, 0 negative).</summary>
    public static List<(int[] Tokens, int Label)> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var examples = new List<(int[], int)>(count);
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(2);
            var tokens = new List<int>();
            AddFillers(tokens, random, 2);
            AddClause(tokens, random, positive: label == 0);
            AddFillers(tokens, random, 1);
            tokens.Add(But);
            AddClause(tokens, random, positive: label == 1);
            AddFillers(tokens, random, 2);
            examples.Add((tokens.ToArray(), label));
        }
        return examples;
    }

    /// <summary>The examples as training examples for a one-logit binary network.</summary>
    public static List<SequenceExample> AsExamples(IEnumerable<(int[] Tokens, int Label)> examples) =>
        examples.Select(e => SequenceExample.FromTokens(e.Tokens, [e.Label])).ToList();

    private static void AddClause(List<int> tokens, Random random, bool positive)
    {
        bool negated = random.Next(2) == 1;
        bool adjectivePositive = positive ^ negated;
        if (negated)
            tokens.Add(Not);
        int[] adjectives = adjectivePositive ? Positive : Negative;
        tokens.Add(adjectives[random.Next(adjectives.Length)]);
    }

    private static void AddFillers(List<int> tokens, Random random, int most)
    {
        int count = random.Next(most + 1);
        for (int i = 0; i < count; i++)
            tokens.Add(Fillers[random.Next(Fillers.Length)]);
    }
}
