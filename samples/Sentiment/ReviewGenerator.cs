namespace Sentiment;

/// <summary>
/// Writes short reviews whose sentiment depends on word order: negation ("was not good") and contrast
/// ("the food was great but the service was awful" is negative; "although …," likewise turns on the
/// second clause). A bag of words sees the same words in reviews of either label; an LSTM reads the order.
/// </summary>
internal static class ReviewGenerator
{
    private static readonly string[] Subjects =
    [
        "the food", "the service", "the movie", "the staff", "this phone", "the battery", "the plot",
        "the acting", "the price", "the room", "the music", "the screen",
    ];

    private static readonly string[] Positive =
    [
        "good", "great", "excellent", "amazing", "wonderful", "fantastic", "delicious", "friendly", "perfect", "lovely",
    ];

    private static readonly string[] Negative =
    [
        "bad", "awful", "terrible", "horrible", "poor", "boring", "disappointing", "rude", "bland", "slow",
    ];

    /// <summary>Generates <paramref name="count"/> labelled reviews, the same ones for the same seed.</summary>
    public static List<SentimentRow> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<SentimentRow>(count);
        for (int i = 0; i < count; i++)
        {
            bool positive = random.Next(2) == 1;
            string text = random.Next(10) switch
            {
                < 2 => Clause(random, positive),
                < 6 => $"{Clause(random, !positive)} but {Clause(random, positive)}",
                < 8 => $"although {Clause(random, !positive)}, {Clause(random, positive)}",
                _ => $"{Clause(random, positive)} and {Clause(random, positive)}",
            };
            rows.Add(new SentimentRow { Text = text, Label = positive });
        }
        return rows;
    }

    /// <summary>"subject was [really|not] adjective", saying something of the given polarity.</summary>
    private static string Clause(Random random, bool positive)
    {
        string subject = Subjects[random.Next(Subjects.Length)];
        string verb = random.Next(2) == 0 ? "was" : "is";
        bool negated = random.Next(5) < 2;
        string[] adjectives = positive ^ negated ? Positive : Negative;
        string adjective = adjectives[random.Next(adjectives.Length)];
        string modifier = negated ? "not " : random.Next(3) == 0 ? "really " : "";
        return $"{subject} {verb} {modifier}{adjective}";
    }
}
