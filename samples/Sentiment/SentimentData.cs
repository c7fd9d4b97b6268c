using Microsoft.ML;

namespace Sentiment;

/// <summary>Where the sample's reviews come from: generated, or a file in the UCI "Sentiment Labelled Sentences" format.</summary>
internal static class SentimentData
{
    /// <summary>Training and test data per the command line, and a line describing them.</summary>
    public static (IDataView Train, IDataView Test, string Source) Load(MLContext ml, string[] args)
    {
        string? dataPath = Option(args, "--data");
        string? testPath = Option(args, "--test");
        if (dataPath is null)
        {
            var train = ml.Data.LoadFromEnumerable(ReviewGenerator.Generate(3000, seed: 1));
            var test = ml.Data.LoadFromEnumerable(ReviewGenerator.Generate(1000, seed: 2));
            return (train, test, "3,000 generated reviews for training, 1,000 for testing (negation and 'but' clauses)");
        }

        IDataView data = LoadFile(ml, dataPath);
        if (testPath is not null)
            return (data, LoadFile(ml, testPath), $"{dataPath} for training, {testPath} for testing");
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
        return (split.TrainSet, split.TestSet, $"{dataPath}, split 80/20");
    }

    /// <summary>Reads text&lt;TAB&gt;label lines (label 1 positive, 0 negative), with or without a header line.</summary>
    private static IDataView LoadFile(MLContext ml, string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No data file at '{path}'. Expected lines of text<TAB>label (1 positive, 0 negative).", path);
        string firstLine = File.ReadLines(path).FirstOrDefault() ?? "";
        string lastField = firstLine[(firstLine.LastIndexOf('\t') + 1)..].Trim();
        bool hasHeader = lastField is not ("0" or "1");
        return ml.Data.LoadFromTextFile<SentimentRow>(path, separatorChar: '\t', hasHeader: hasHeader, allowQuoting: false);
    }

    private static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
