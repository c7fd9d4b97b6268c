namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>The language-model benchmark's text as token ids, read the same way as benchmarks/pytorch_lm.py reads it.</summary>
internal static class LanguageModelText
{
    /// <summary>Training sequences (cut to <paramref name="tokenBudget"/> tokens), held-out sequences, and the vocabulary size (the training part's tokens, plus one unknown id).</summary>
    public static (List<int[]> Train, List<int[]> HeldOut, int Vocabulary) Read(string path, string level, int length, int tokenBudget)
    {
        List<string[]> sequences = level == "char" ? Characters(File.ReadAllText(path).Replace("\r\n", "\n"), length) : Words(path);
        int boundary = sequences.Count * 9 / 10;
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var train = new List<int[]>();
        long tokens = 0;
        for (int i = 0; i < boundary && tokens < tokenBudget; i++)
        {
            train.Add([.. sequences[i].Select(token => ids.TryGetValue(token, out int id) ? id : ids[token] = ids.Count)]);
            tokens += sequences[i].Length;
        }
        int unknown = ids.Count;
        List<int[]> heldOut = [.. sequences.Skip(boundary).Select(sequence => sequence.Select(token => ids.GetValueOrDefault(token, unknown)).ToArray())];
        return (train, heldOut, unknown + 1);
    }

    private static List<string[]> Characters(string text, int length)
    {
        var pieces = new List<string[]>();
        for (int start = 0; start + length <= text.Length; start += length)
            pieces.Add([.. text.Substring(start, length).Select(c => c.ToString())]);
        return pieces;
    }

    private static List<string[]> Words(string path) =>
        [.. File.ReadLines(path)
            .Select(line => line.Contains('\t') ? line[..line.LastIndexOf('\t')] : line)
            .Select(line => line.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words.Length >= 2)];
}
