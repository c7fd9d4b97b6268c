using Microsoft.ML;

namespace Sentiment;

/// <summary>Where the sample's reviews come from: generated, or a file in the UCI "Sentiment Labelled Sentences" format.</summary>
internal static class SentimentData
{
    /// <summary>
    /// Training and test data per the command line, and a line describing them; false, after a one-line message on
    /// standard error, when the arguments name no usable file.
    /// </summary>
    public static bool TryLoad(MLContext ml, string[] args, out IDataView train, out IDataView test, out string source)
    {
        string? dataPath = Option(args, "--data");
        string? testPath = Option(args, "--test");
        train = test = null!;
        source = "";
        if (dataPath is null && testPath is null)
        {
            train = ml.Data.LoadFromEnumerable(ReviewGenerator.Generate(3000, seed: 1));
            test = ml.Data.LoadFromEnumerable(ReviewGenerator.Generate(1000, seed: 2));
            source = "3,000 generated reviews for training, 1,000 for testing (negation and 'but' clauses)";
            return true;
        }
        foreach (string? path in new[] { dataPath, testPath })
        {
            if (path is not null && !File.Exists(path))
                return Fail($"No data file at '{path}'. Expected lines of text<TAB>label (1 positive, 0 negative).");
        }
        if (dataPath is null)
            return Fail("--test needs --data FILE too (the training data).");

        IDataView data = LoadFile(ml, dataPath);
        if (testPath is not null)
        {
            (train, test, source) = (data, LoadFile(ml, testPath), $"{dataPath} for training, {testPath} for testing");
            return true;
        }
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);
        (train, test, source) = (split.TrainSet, split.TestSet, $"{dataPath}, split 80/20");
        return true;
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine(message);
        return false;
    }

    /// <summary>Reads text&lt;TAB&gt;label lines (label 1 positive, 0 negative), with or without a header line.</summary>
    private static IDataView LoadFile(MLContext ml, string path)
    {
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
