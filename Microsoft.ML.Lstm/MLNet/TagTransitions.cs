namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Which tag may follow which, which may open a sequence and which may close one, under a scheme's rules:
/// the masks a linear-chain CRF applies so that Viterbi decoding never emits an invalid sequence
/// (a disallowed transition's score is −∞).
/// </summary>
/// <remarks>
/// <para>Per scheme (X and Y entity types, "any" every tag):</para>
/// <list type="bullet">
/// <item><description>BIO (IOB2): I-Y only after B-Y or I-Y; a sequence cannot start with I-Y; everything else allowed.</description></item>
/// <item><description>IOB1: B-Y only after B-Y or I-Y (it separates adjacent entities of one type); a sequence cannot
/// start with B-Y; I-Y may follow anything (after O or another type it begins an entity).</description></item>
/// <item><description>IOBES and BILOU (L for E, U for S): after B-X or I-X only I-X or E-X; after O, E-X or S-X
/// only O, B-Y or S-Y; a sequence starts with O, B-Y or S-Y and ends with O, E-Y or S-Y.</description></item>
/// <item><description>Plain: everything allowed.</description></item>
/// </list>
/// </remarks>
internal sealed class TagTransitions
{
    private readonly bool[] allowed;
    private readonly bool[] allowedStart;
    private readonly bool[] allowedEnd;

    private TagTransitions(int tagCount, bool[] allowed, bool[] allowedStart, bool[] allowedEnd)
    {
        TagCount = tagCount;
        this.allowed = allowed;
        this.allowedStart = allowedStart;
        this.allowedEnd = allowedEnd;
    }

    /// <summary>Number of tags, K.</summary>
    public int TagCount { get; }

    /// <summary>Whether tag <c>to</c> may directly follow tag <c>from</c>: [from·K + to].</summary>
    public ReadOnlySpan<bool> Allowed => allowed;

    /// <summary>Whether a sequence may start with each tag: [K].</summary>
    public ReadOnlySpan<bool> AllowedStart => allowedStart;

    /// <summary>Whether a sequence may end with each tag: [K].</summary>
    public ReadOnlySpan<bool> AllowedEnd => allowedEnd;

    /// <summary>Whether tag <paramref name="to"/> may directly follow tag <paramref name="from"/>.</summary>
    public bool IsAllowed(int from, int to) => allowed[from * TagCount + to];

    /// <summary>The masks of <paramref name="scheme"/>'s tags, by its rules.</summary>
    public static TagTransitions For(TagScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        int count = scheme.Count;
        ReadOnlySpan<TagRole> roles = scheme.Roles;
        ReadOnlySpan<int> types = scheme.EntityTypeIndices;
        var allowed = new bool[count * count];
        var allowedStart = new bool[count];
        var allowedEnd = new bool[count];
        for (int from = 0; from < count; from++)
        {
            allowedStart[from] = MayStart(scheme.Kind, roles[from]);
            allowedEnd[from] = MayEnd(scheme.Kind, roles[from]);
            for (int to = 0; to < count; to++)
                allowed[from * count + to] = MayFollow(scheme.Kind, roles[from], types[from], roles[to], types[to]);
        }
        return new TagTransitions(count, allowed, allowedStart, allowedEnd);
    }

    private static bool MayStart(TagSchemeKind kind, TagRole role) => kind switch
    {
        TagSchemeKind.Bio => role != TagRole.Inside,
        TagSchemeKind.Iob1 => role != TagRole.Begin,
        TagSchemeKind.Iobes or TagSchemeKind.Bilou => role is TagRole.Outside or TagRole.Begin or TagRole.Single,
        _ => true,
    };

    private static bool MayEnd(TagSchemeKind kind, TagRole role) => kind switch
    {
        TagSchemeKind.Iobes or TagSchemeKind.Bilou => role is TagRole.Outside or TagRole.End or TagRole.Single,
        _ => true,
    };

    private static bool MayFollow(TagSchemeKind kind, TagRole from, int fromType, TagRole to, int toType)
    {
        bool continuesEntity = (from is TagRole.Begin or TagRole.Inside) && fromType == toType;
        return kind switch
        {
            TagSchemeKind.Bio => to != TagRole.Inside || continuesEntity,
            TagSchemeKind.Iob1 => to != TagRole.Begin || continuesEntity,
            TagSchemeKind.Iobes or TagSchemeKind.Bilou => from is TagRole.Begin or TagRole.Inside
                ? (to is TagRole.Inside or TagRole.End) && fromType == toType
                : to is TagRole.Outside or TagRole.Begin or TagRole.Single,
            _ => true,
        };
    }
}
