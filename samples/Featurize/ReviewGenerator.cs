namespace Featurize;

/// <summary>
/// Short reviews whose sentiment turns on word order: "the food was great but the service was awful" is negative,
/// "the staff was not friendly" negative. A bag of words sees the same words in reviews of either label.
/// </summary>
internal static class ReviewGenerator
{
    private static readonly string[] Subjects = ["the food", "the service", "the movie", "the staff", "this phone", "the battery", "the plot", "the room", "the music", "the price"];
    private static readonly string[] Positive = ["good", "great", "excellent", "amazing", "wonderful", "delicious", "friendly", "perfect", "lovely"];
    private static readonly string[] Negative = ["bad", "awful", "terrible", "horrible", "poor", "boring", "disappointing", "rude", "slow"];

    /// <summary><paramref name="count"/> labelled reviews, the same ones for the same seed.</summary>
    public static ReviewRow[] Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new ReviewRow[count];
        for (int i = 0; i < count; i++)
        {
            bool positive = random.Next(2) == 1;
            string text = random.Next(10) switch
            {
                < 3 => Clause(random, positive),
                < 8 => $"{Clause(random, !positive)} but {Clause(random, positive)}",
                _ => $"{Clause(random, positive)} and {Clause(random, positive)}",
            };
            rows[i] = new ReviewRow { Text = text, Label = positive };
        }
        return rows;
    }

    /// <summary>"the food was (not) great": positive or negative as asked, negated half the time.</summary>
    private static string Clause(Random random, bool positive)
    {
        bool negated = random.Next(2) == 1;
        string[] words = positive != negated ? Positive : Negative;
        string subject = Subjects[random.Next(Subjects.Length)];
        return $"{subject} was {(negated ? "not " : "")}{words[random.Next(words.Length)]}";
    }
}
