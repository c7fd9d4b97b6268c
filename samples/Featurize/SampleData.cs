using Microsoft.ML;

namespace Featurize;

/// <summary>The sample's reviews (generated, or read from text&lt;TAB&gt;label files) and its text for the character-level model.</summary>
internal static class SampleData
{
    /// <summary>
    /// Reviews whose labels the models do not see, the few labelled ones, and the test reviews. From a file, the
    /// labelled ones are drawn from the training rows by the seed, and the rest of them serve unlabelled.
    /// </summary>
    public static (ReviewRow[] Unlabelled, ReviewRow[] Labelled, ReviewRow[] Test, string Source) Reviews(MLContext ml, SampleArguments arguments)
    {
        if (arguments.DataPath is null)
        {
            int labels = arguments.Labels ?? 200;
            return (ReviewGenerator.Generate(4000, seed: 10), ReviewGenerator.Generate(labels, seed: 20 + arguments.Seed), ReviewGenerator.Generate(1000, seed: 3),
                $"generated reviews where word order matters: 4,000 without labels, {labels} labelled, 1,000 to test");
        }
        ReviewRow[] rows = ReadReviews(arguments.DataPath);
        ReviewRow[] test;
        if (arguments.TestPath is not null)
        {
            test = ReadReviews(arguments.TestPath);
        }
        else
        {
            new Random(1).Shuffle(rows);
            int held = rows.Length / 5;
            (test, rows) = (rows[..held], rows[held..]);
        }
        int count = Math.Min(arguments.Labels ?? 300, rows.Length);
        ReviewRow[] shuffled = (ReviewRow[])rows.Clone();
        new Random(arguments.Seed).Shuffle(shuffled);
        return (shuffled[count..], shuffled[..count], test,
            $"{arguments.DataPath}: {rows.Length:N0} training reviews, {count} of them labelled; {test.Length:N0} test reviews{(arguments.TestPath is null ? " (20 % held out)" : $" from {arguments.TestPath}")}");
    }

    /// <summary>Training and held-out pieces of text for the character-level model: the file's first 90 % and last 10 %, or the reviews one per line.</summary>
    public static (TextLine[] Train, TextLine[] HeldOut, string Source) Characters(SampleArguments arguments, ReviewRow[] reviews)
    {
        if (arguments.TextPath is null)
        {
            TextLine[] lines = [.. reviews.Select(review => TextLine.Of(review.Text + "\n"))];
            int split = lines.Length * 9 / 10;
            return (lines[..split], lines[split..], $"{lines.Length:N0} review lines");
        }
        string text = File.ReadAllText(arguments.TextPath).Replace("\r\n", "\n");
        int boundary = text.Length * 9 / 10;
        return (Pieces(text[..boundary]), Pieces(text[boundary..]), $"{Path.GetFileName(arguments.TextPath)} ({text.Length:N0} characters, the last 10 % held out)");
    }

    /// <summary>The text in pieces of 200 characters (a row each).</summary>
    private static TextLine[] Pieces(string text)
    {
        const int size = 200;
        var pieces = new List<TextLine>();
        for (int start = 0; start < text.Length; start += size)
            pieces.Add(TextLine.Of(text.Substring(start, Math.Min(size, text.Length - start))));
        return [.. pieces];
    }

    /// <summary>text&lt;TAB&gt;label lines (1 positive, 0 negative), with or without a header line.</summary>
    private static ReviewRow[] ReadReviews(string path)
    {
        var rows = new List<ReviewRow>();
        foreach (string line in File.ReadLines(path))
        {
            int tab = line.LastIndexOf('\t');
            string label = tab < 0 ? "" : line[(tab + 1)..].Trim();
            if (label is "0" or "1")
                rows.Add(new ReviewRow { Text = line[..tab], Label = label == "1" });
        }
        return [.. rows];
    }
}
