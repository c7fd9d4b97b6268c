namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The counts conlleval keeps, sentence by sentence: labelled, predicted and correct entities per type, and
/// tokens with the right tag. Entities are compared as spans (<see cref="TagSpans"/>): a predicted entity is
/// correct when a labelled one has the same first token, last token and type.
/// </summary>
internal sealed class TaggingCounts
{
    private readonly TagScheme scheme;
    private readonly long[] goldCounts;
    private readonly long[] predictedCounts;
    private readonly long[] correctCounts;
    private readonly List<TagSpan> goldSpans = [];
    private readonly List<TagSpan> predictedSpans = [];
    private long tokenCount;
    private long correctTagCount;

    public TaggingCounts(TagScheme scheme)
    {
        this.scheme = scheme;
        goldCounts = new long[scheme.EntityTypes.Count];
        predictedCounts = new long[scheme.EntityTypes.Count];
        correctCounts = new long[scheme.EntityTypes.Count];
    }

    /// <summary>Counts one sentence: its labelled and predicted tags (indices into the scheme's tags), one of each per token.</summary>
    public void Add(ReadOnlySpan<int> goldTags, ReadOnlySpan<int> predictedTags)
    {
        if (goldTags.Length != predictedTags.Length)
            throw new ArgumentException($"{goldTags.Length} labelled tags against {predictedTags.Length} predicted; expected one prediction per tag.", nameof(predictedTags));
        tokenCount += goldTags.Length;
        for (int i = 0; i < goldTags.Length; i++)
        {
            if (goldTags[i] == predictedTags[i])
                correctTagCount++;
        }

        goldSpans.Clear();
        predictedSpans.Clear();
        TagSpans.Extract(goldTags, scheme, goldSpans);
        TagSpans.Extract(predictedTags, scheme, predictedSpans);
        foreach (TagSpan span in goldSpans)
            goldCounts[span.EntityType]++;
        foreach (TagSpan span in predictedSpans)
            predictedCounts[span.EntityType]++;

        // Both lists are disjoint spans in order: walk them together, always past the one that ends first.
        int g = 0, p = 0;
        while (g < goldSpans.Count && p < predictedSpans.Count)
        {
            TagSpan gold = goldSpans[g];
            TagSpan predicted = predictedSpans[p];
            if (gold == predicted)
            {
                correctCounts[gold.EntityType]++;
                g++;
                p++;
            }
            else if (gold.End < predicted.End || (gold.End == predicted.End && gold.Start < predicted.Start))
            {
                g++;
            }
            else
            {
                p++;
            }
        }
    }

    /// <summary>The scores of what was counted, with every entity type that occurred in either column.</summary>
    public TaggingMetrics ToMetrics()
    {
        var perType = new List<TaggingEntityMetrics>();
        for (int type = 0; type < goldCounts.Length; type++)
        {
            if (goldCounts[type] > 0 || predictedCounts[type] > 0)
                perType.Add(new TaggingEntityMetrics(scheme.EntityTypes[type], goldCounts[type], predictedCounts[type], correctCounts[type]));
        }
        return new TaggingMetrics(tokenCount, correctTagCount, perType);
    }
}
