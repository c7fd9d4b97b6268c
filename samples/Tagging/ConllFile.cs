namespace Tagging;

/// <summary>Reads CoNLL-format files: one token per line (token first, tag last), a blank line between sentences, -DOCSTART- lines skipped.</summary>
internal static class ConllFile
{
    /// <summary>The sentences of the file at <paramref name="path"/>.</summary>
    public static List<SentenceRow> Read(string path)
    {
        var sentences = new List<SentenceRow>();
        var tokens = new List<string>();
        var tags = new List<string>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            string trimmed = line.Trim();
            if (trimmed.StartsWith("-DOCSTART-", StringComparison.Ordinal))
                continue;
            if (trimmed.Length == 0)
            {
                Flush();
                continue;
            }
            string[] fields = trimmed.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected a token and a tag separated by a tab or a space, found '{trimmed}'.");
            tokens.Add(fields[0]);
            tags.Add(fields[^1]);
        }
        Flush();
        return sentences;

        void Flush()
        {
            if (tokens.Count == 0)
                return;
            sentences.Add(new SentenceRow { Tokens = [.. tokens], Tags = [.. tags] });
            tokens.Clear();
            tags.Clear();
        }
    }
}
