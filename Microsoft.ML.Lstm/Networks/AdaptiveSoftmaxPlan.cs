namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// How an <see cref="AdaptiveSoftmax{T}"/> is laid out from the training tokens' counts: the tokens ranked by
/// frequency, and the cutoffs chosen when the user gives none.
/// </summary>
internal static class AdaptiveSoftmaxPlan
{
    /// <summary>The share of the training tokens the automatic shortlist covers.</summary>
    public const double ShortlistCoverage = 0.5;

    /// <summary>How much larger each automatic tail cluster is than the one before it (the first is this many times the shortlist).</summary>
    public const int ClusterGrowth = 4;

    /// <summary>The token ids from most to least frequent; ties keep the lower id first, so one corpus gives one ranking.</summary>
    public static int[] Ranking(ReadOnlySpan<long> counts)
    {
        int[] ranking = [.. Enumerable.Range(0, counts.Length)];
        long[] copy = counts.ToArray();
        Array.Sort(ranking, (a, b) => copy[a] != copy[b] ? copy[b].CompareTo(copy[a]) : a.CompareTo(b));
        return ranking;
    }

    /// <summary>
    /// The automatic cutoffs over <paramref name="counts"/> (by token id): a shortlist of the fewest most frequent tokens
    /// that cover <see cref="ShortlistCoverage"/> of the training tokens (at least one, at most V − 1), then tail clusters
    /// each <see cref="ClusterGrowth"/> times the size of the one before, the last taking the rest (Grave et al.'s
    /// clusters of growing size and shrinking width).
    /// </summary>
    public static int[] AutomaticCutoffs(ReadOnlySpan<long> counts)
    {
        int vocabulary = counts.Length;
        if (vocabulary < 2)
            throw new ArgumentException("An adaptive softmax needs at least two tokens.", nameof(counts));
        long[] sorted = counts.ToArray();
        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        long total = 0;
        foreach (long count in sorted)
            total += count;
        int shortlist = 0;
        long covered = 0;
        while (shortlist < vocabulary && (shortlist == 0 || covered < ShortlistCoverage * total))
            covered += sorted[shortlist++];
        shortlist = Math.Clamp(shortlist, 1, vocabulary - 1);

        var cutoffs = new List<int> { shortlist };
        long size = (long)shortlist * ClusterGrowth;
        while (cutoffs.Count < LanguageModelHeadSpec.MaxTailClusters && cutoffs[^1] + size < vocabulary)
        {
            cutoffs.Add((int)(cutoffs[^1] + size));
            size *= ClusterGrowth;
        }
        return [.. cutoffs];
    }

    /// <summary>How often each token id occurs in <paramref name="sequences"/>.</summary>
    public static long[] Counts(IEnumerable<int[]> sequences, int vocabulary)
    {
        var counts = new long[vocabulary];
        foreach (int[] tokens in sequences)
        {
            foreach (int token in tokens)
                counts[token]++;
        }
        return counts;
    }
}
