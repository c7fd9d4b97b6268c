namespace Tagging;

/// <summary>
/// Writes sentences from templates filled with people, places and organisations, tagged in BIO. Names are
/// invented from syllables, and the test set draws from a different pool than the training set, so a tagger
/// sees every test name for the first time: it must go by context and spelling, not by memory.
/// </summary>
internal static class SentenceGenerator
{
    private static readonly string[] Templates =
    [
        "{person} visited {location} last week .",
        "{person} works for {organization} in {location} .",
        "yesterday {person} met {person} at the {organization} office .",
        "the {organization} team flew to {location} on monday .",
        "{person} said that {organization} will open a store in {location} .",
        "we drove from {location} to {location} with {person} .",
        "{organization} hired {person} as its new director .",
        "i think {person} is moving to {location} soon .",
        "did you see {person} on tv last night ?",
        "the weather in {location} was terrible today .",
        "{person} and {person} are starting a company called {organization} .",
        "my sister lives in {location} and loves it .",
    ];

    private static readonly string[] Syllables =
    [
        "ka", "ren", "mo", "li", "sa", "ta", "vo", "ri", "an", "del", "mar", "zu", "bel", "tor", "ni", "os",
        "fen", "ga", "lu", "pra", "chi", "dor", "wen", "el", "quin", "ba", "sho", "ver", "ty", "nu",
    ];

    private static readonly string[] OrganizationWords = ["Systems", "Labs", "Group", "Foods", "Motors", "Bank", "Media", "Works"];

    /// <summary>
    /// <paramref name="count"/> sentences; <paramref name="namePool"/> 0 or 1 picks which invented names fill them
    /// (the training set and the test set use different pools).
    /// </summary>
    public static List<SentenceRow> Generate(int count, int seed, int namePool)
    {
        var random = new Random(seed);
        var sentences = new List<SentenceRow>(count);
        for (int i = 0; i < count; i++)
        {
            var tokens = new List<string>();
            var tags = new List<string>();
            foreach (string word in Templates[random.Next(Templates.Length)].Split(' '))
            {
                string[] entity = word switch
                {
                    "{person}" => [Name(random, namePool), Name(random, namePool)],
                    "{location}" => [Name(random, namePool)],
                    "{organization}" => [Name(random, namePool), OrganizationWords[random.Next(OrganizationWords.Length)]],
                    _ => [],
                };
                if (entity.Length == 0)
                {
                    tokens.Add(word);
                    tags.Add("O");
                    continue;
                }
                string type = word[1..^1];
                for (int k = 0; k < entity.Length; k++)
                {
                    tokens.Add(entity[k]);
                    tags.Add((k == 0 ? "B-" : "I-") + type);
                }
            }
            sentences.Add(new SentenceRow { Tokens = [.. tokens], Tags = [.. tags] });
        }
        return sentences;
    }

    /// <summary>A capitalised invented name of two or three syllables; pool 0 and pool 1 never share a name.</summary>
    private static string Name(Random random, int namePool)
    {
        while (true)
        {
            int syllables = random.Next(2, 4);
            string name = string.Concat(Enumerable.Range(0, syllables).Select(_ => Syllables[random.Next(Syllables.Length)]));
            // The pools split names by a hash of their spelling, so the same name always falls in the same pool.
            if ((StableHash(name) & 1) == namePool)
                return char.ToUpperInvariant(name[0]) + name[1..];
        }
    }

    private static int StableHash(string text)
    {
        int hash = 17;
        foreach (char c in text)
            hash = hash * 31 + c;
        return hash & int.MaxValue;
    }
}
