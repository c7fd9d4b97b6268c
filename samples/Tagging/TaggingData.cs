namespace Tagging;

/// <summary>Where the sample's sentences come from: generated, or CoNLL files named on the command line.</summary>
internal static class TaggingData
{
    /// <summary>Training and test sentences per the command line; false (after a one-line message) when the arguments are wrong.</summary>
    public static bool TryLoad(string[] args, out List<SentenceRow> train, out List<SentenceRow> test, out string source)
    {
        train = test = [];
        source = "";
        string? trainPath = Option(args, "--train"), testPath = Option(args, "--test");
        if (trainPath is null && testPath is null)
        {
            train = SentenceGenerator.Generate(2000, seed: 1, namePool: 0);
            test = SentenceGenerator.Generate(500, seed: 2, namePool: 1);
            source = "2,000 generated sentences for training, 500 for testing whose names never occur in training";
            return true;
        }
        if (trainPath is null || testPath is null)
            return Fail("Give both --train FILE and --test FILE (CoNLL: token first, tag last, a blank line between sentences).");
        foreach (string path in new[] { trainPath, testPath })
        {
            if (!File.Exists(path))
                return Fail($"No file at '{path}'. Expected a CoNLL file: token first, tag last, a blank line between sentences.");
        }
        try
        {
            train = ConllFile.Read(trainPath);
            test = ConllFile.Read(testPath);
        }
        catch (InvalidDataException error)
        {
            return Fail(error.Message);
        }
        source = $"{trainPath} ({train.Count} sentences) for training, {testPath} ({test.Count}) for testing";
        return true;
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine(message);
        return false;
    }

    private static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
