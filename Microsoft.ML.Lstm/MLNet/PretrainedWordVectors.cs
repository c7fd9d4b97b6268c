using System.Globalization;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Word vectors read from a GloVe, word2vec or fastText text file (<c>word v1 v2 … vD</c> per line; word2vec
/// and fastText <c>.vec</c> files open with a "count dimension" line, which is skipped). Only the vectors of
/// the words asked for are kept, so a file of millions of words costs one pass and little memory.
/// </summary>
internal sealed class PretrainedWordVectors
{
    private PretrainedWordVectors(int dimension, float[]?[] vectors, int found)
    {
        Dimension = dimension;
        Vectors = vectors;
        Found = found;
    }

    /// <summary>Length of every vector in the file.</summary>
    public int Dimension { get; }

    /// <summary>The vector of each asked word, by its position in the list asked for; null where the file has none.</summary>
    public IReadOnlyList<float[]?> Vectors { get; }

    /// <summary>How many of the asked words the file had.</summary>
    public int Found { get; }

    /// <summary>
    /// Reads the vectors of <paramref name="words"/> from <paramref name="path"/>. A word missing from the file
    /// is looked up again in lower case (GloVe's vocabulary is lower-cased).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">A line is not a word followed by as many numbers as the first vector has.</exception>
    public static PretrainedWordVectors Read(string path, IReadOnlyList<string> words, CancellationToken cancellation)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The pretrained word vectors file '{path}' does not exist.", path);

        var positions = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
            AddPosition(positions, words[i], i);
        var lowerCasePositions = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
            AddPosition(lowerCasePositions, words[i].ToLowerInvariant(), i);

        var vectors = new float[]?[words.Count];
        int dimension = 0;
        long lineNumber = 0;
        using var reader = new StreamReader(path);
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (lineNumber % 65536 == 0)
                cancellation.ThrowIfCancellationRequested();
            string[] fields = line.TrimEnd().Split(' ');
            if (fields.Length == 1 && fields[0].Length == 0)
                continue;
            if (lineNumber == 1 && fields.Length == 2 && int.TryParse(fields[0], out _) && int.TryParse(fields[1], out _))
                continue; // word2vec / fastText header: word count and dimension
            if (dimension == 0)
            {
                dimension = fields.Length - 1;
                if (dimension == 0)
                    throw BadLine(path, lineNumber, "a word followed by its vector");
            }
            else if (fields.Length - 1 != dimension)
            {
                throw BadLine(path, lineNumber, $"a word followed by {dimension} numbers (as the first vector has), found {fields.Length - 1}");
            }

            string word = fields[0];
            positions.TryGetValue(word, out List<int>? exactTargets);
            lowerCasePositions.TryGetValue(word, out List<int>? lowerCaseTargets);
            if (exactTargets is null && lowerCaseTargets is null)
                continue;
            float[] vector = ParseVector(fields, path, lineNumber);
            // An exact match beats a lower-case one, whichever line comes first.
            foreach (int target in exactTargets ?? [])
                vectors[target] = vector;
            foreach (int target in lowerCaseTargets ?? [])
                vectors[target] ??= vector;
        }
        if (dimension == 0)
            throw new InvalidDataException($"The pretrained word vectors file '{path}' holds no vectors.");
        int found = vectors.Count(vector => vector is not null);
        return new PretrainedWordVectors(dimension, vectors, found);
    }

    private static void AddPosition(Dictionary<string, List<int>> positions, string word, int position)
    {
        if (!positions.TryGetValue(word, out List<int>? list))
            positions[word] = list = [];
        list.Add(position);
    }

    private static float[] ParseVector(string[] fields, string path, long lineNumber)
    {
        var vector = new float[fields.Length - 1];
        for (int j = 0; j < vector.Length; j++)
        {
            if (!float.TryParse(fields[j + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out vector[j]) || !float.IsFinite(vector[j]))
                throw BadLine(path, lineNumber, $"finite numbers after the word, found '{fields[j + 1]}' as value {j + 1}");
        }
        return vector;
    }

    private static InvalidDataException BadLine(string path, long lineNumber, string expected) =>
        new($"The pretrained word vectors file '{path}', line {lineNumber}: expected {expected}.");
}
