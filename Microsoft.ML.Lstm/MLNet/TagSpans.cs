namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The entities of a tag sequence by the rules of conlleval, the CoNLL-2000 shared task's scorer, in the
/// extended form that reads IOBES (BILOU's L and U read as E and S; plain tags as conlleval's <c>-r</c>
/// reads them, each a one-token entity).
/// </summary>
/// <remarks>
/// <para>conlleval decides between each two neighbouring tokens whether an entity ends and whether one starts
/// (its <c>endOfChunk</c> and <c>startOfChunk</c>), with the first token preceded and the last one followed by O:</para>
/// <list type="bullet">
/// <item><description>An entity ends after E-X or S-X; after B-X or I-X when B-, S- or O follows; and whenever a tag other
/// than O is followed by a tag of another type (O counts as no type).</description></item>
/// <item><description>An entity starts at every B-X and S-X; at I-X or E-X after O, E- or S-; and at every tag other than O
/// whose type differs from the previous tag's.</description></item>
/// </list>
/// <para>So an I-X after O, at the start, or after another type begins an entity (IOB1 and a BIO slip alike), B-X always
/// begins one (B-PER I-PER B-PER is two entities), and a type change splits an entity. Every tag other than O belongs
/// to exactly one entity. The rules give the same entities for IOB1 and BIO.</para>
/// </remarks>
internal static class TagSpans
{
    /// <summary>Appends the entities of <paramref name="tags"/> (indices into <paramref name="scheme"/>'s tags) to <paramref name="spans"/>, in order.</summary>
    public static void Extract(ReadOnlySpan<int> tags, TagScheme scheme, List<TagSpan> spans)
    {
        ReadOnlySpan<TagRole> roles = scheme.Roles;
        ReadOnlySpan<int> types = scheme.EntityTypeIndices;
        TagRole previousRole = TagRole.Outside;
        int previousType = -1;
        int start = -1;
        for (int position = 0; position <= tags.Length; position++)
        {
            // One O past the end closes the last entity, as conlleval's sentence boundary does.
            TagRole role = position < tags.Length ? roles[tags[position]] : TagRole.Outside;
            int type = position < tags.Length ? types[tags[position]] : -1;
            bool starts = StartsEntity(previousRole, previousType, role, type);
            // The rules never start an entity inside an open one without ending it; closing on a start anyway
            // keeps the spans disjoint whatever the tags.
            if (start >= 0 && (EndsEntity(previousRole, previousType, role, type) || starts))
            {
                spans.Add(new TagSpan(start, position, previousType));
                start = -1;
            }
            if (starts)
                start = position;
            previousRole = role;
            previousType = type;
        }
    }

    /// <summary>conlleval's <c>endOfChunk</c>: whether an entity ends between a token tagged (previous) and the next (current).</summary>
    public static bool EndsEntity(TagRole previousRole, int previousType, TagRole role, int type) =>
        previousRole is TagRole.End or TagRole.Single
        || ((previousRole is TagRole.Begin or TagRole.Inside) && (role is TagRole.Begin or TagRole.Single or TagRole.Outside))
        || (previousRole != TagRole.Outside && previousType != type);

    /// <summary>conlleval's <c>startOfChunk</c>: whether an entity starts at a token tagged (current) after one tagged (previous).</summary>
    public static bool StartsEntity(TagRole previousRole, int previousType, TagRole role, int type) =>
        role is TagRole.Begin or TagRole.Single
        || ((role is TagRole.Inside or TagRole.End) && (previousRole is TagRole.Outside or TagRole.End or TagRole.Single))
        || (role != TagRole.Outside && previousType != type);
}
