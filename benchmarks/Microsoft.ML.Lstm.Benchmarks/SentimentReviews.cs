using System.Globalization;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>One sentence of the UCI sentiment split and its label.</summary>
internal sealed class Review
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}

/// <summary>Reads the UCI sentiment split's files (<c>../shared/data/sentiment/train.tsv</c> and <c>test.tsv</c>).</summary>
internal static class SentimentReviews
{
    /// <summary>
    /// Reads train.tsv and test.tsv from <c>--data DIR</c> (default <c>../shared/data/sentiment</c>), or says
    /// "<paramref name="skipped"/>: … are not here" and returns false when the shared data set is absent.
    /// </summary>
    public static bool TryRead(string[] args, out List<Review> train, out List<Review> test, string skipped = "Skipped")
    {
        string data = ShapesRunner.StringOption(args, "--data", "../shared/data/sentiment");
        string trainPath = Path.Combine(data, "train.tsv"), testPath = Path.Combine(data, "test.tsv");
        if (!File.Exists(trainPath) || !File.Exists(testPath))
        {
            Console.WriteLine($"{skipped}: {trainPath} and {testPath} are not here (the shared data set is absent).");
            train = test = [];
            return false;
        }
        train = Read(trainPath);
        test = Read(testPath);
        return true;
    }

    /// <summary>A header line (Text, Label), then one text and its 0/1 label per line.</summary>
    public static List<Review> Read(string path)
    {
        var rows = new List<Review>();
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            int tab = line.LastIndexOf('\t');
            if (tab > 0)
                rows.Add(new Review { Text = line[..tab], Label = int.Parse(line[(tab + 1)..], CultureInfo.InvariantCulture) == 1 });
        }
        return rows;
    }
}
