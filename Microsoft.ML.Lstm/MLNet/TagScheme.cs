using System.Diagnostics.CodeAnalysis;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A list of tags (a tagger's classes, in class order) read as a tagging scheme: each tag's
/// <see cref="TagRole"/> and entity type, and the transitions a linear-chain CRF may take between them
/// (<see cref="Transitions"/>).
/// </summary>
/// <remarks>
/// <para>How the scheme is recognised (<see cref="Detect"/>):</para>
/// <list type="number">
/// <item><description>"O" is outside in every scheme. Any other tag is <i>prefixed</i> when it is one of the
/// capital letters B, I, E, S, L, U, a hyphen and a non-empty type ("B-person", "I-creative-work": the type
/// is everything after the first hyphen, as conlleval splits it); otherwise it is <i>unprefixed</i>.</description></item>
/// <item><description>No prefixed tag: <see cref="TagSchemeKind.Plain"/>. Prefixed and unprefixed tags
/// together: an error naming some of each.</description></item>
/// <item><description>E- or S- tags: IOBES; L- or U- tags: BILOU; both kinds: an error naming some of each.</description></item>
/// <item><description>Only B- and I- tags: BIO (IOB2) or IOB1, which the letters alone cannot always tell
/// apart. An entity <i>begins with I-</i> where an I-X tag comes first in a sequence, after O, or after a tag
/// of another type; it <i>begins with B-</i> where a B-X tag does the same. Valid BIO never does the first,
/// valid IOB1 never the second (its B-X only follows an X entity). Given the training label sequences:
/// I- beginnings and no B- beginnings mean IOB1, B- beginnings and no I- beginnings mean BIO, both mean an
/// error naming one of each. Without sequences, or when they hold no entity, the tag set decides: a type
/// with I-X but no B-X is IOB1 (every BIO entity opens with B-), a type with B-X but no I-X is BIO (every
/// IOB1 run of X entities opens with I-X); neither: BIO, the common case; both: an error.</description></item>
/// </list>
/// <para>Prefix letters are matched case-sensitively, as conlleval does.</para>
/// </remarks>
internal sealed class TagScheme
{
    /// <summary>The outside tag of every scheme.</summary>
    public const string OutsideTag = "O";

    /// <summary>How many tags an error message names before it stops.</summary>
    private const int TagsNamed = 5;

    private readonly string[] tags;
    private readonly TagRole[] roles;
    private readonly int[] entityTypeIndices;
    private readonly string[] entityTypes;

    private TagScheme(TagSchemeKind kind, string[] tags, TagRole[] roles, int[] entityTypeIndices, string[] entityTypes)
    {
        Kind = kind;
        this.tags = tags;
        this.roles = roles;
        this.entityTypeIndices = entityTypeIndices;
        this.entityTypes = entityTypes;
    }

    /// <summary>The scheme.</summary>
    public TagSchemeKind Kind { get; }

    /// <summary>The tags, in the order they were given (a tagger's class order).</summary>
    public IReadOnlyList<string> Tags => tags;

    /// <summary>Number of tags, K.</summary>
    public int Count => tags.Length;

    /// <summary>The distinct entity types, in the order their first tag appears.</summary>
    public IReadOnlyList<string> EntityTypes => entityTypes;

    /// <summary>The role of each tag, by tag index.</summary>
    public ReadOnlySpan<TagRole> Roles => roles;

    /// <summary>The index in <see cref="EntityTypes"/> of each tag's type, by tag index; −1 for O.</summary>
    public ReadOnlySpan<int> EntityTypeIndices => entityTypeIndices;

    /// <summary>The entity type of tag <paramref name="tag"/>, or null for O.</summary>
    public string? EntityTypeOf(int tag) => entityTypeIndices[tag] < 0 ? null : entityTypes[entityTypeIndices[tag]];

    /// <summary>The scheme's name for messages: "BIO (IOB2)", "IOB1", "IOBES", "BILOU" or "plain (no prefixes)".</summary>
    public static string NameOf(TagSchemeKind kind) => kind switch
    {
        TagSchemeKind.Plain => "plain (no prefixes)",
        TagSchemeKind.Bio => "BIO (IOB2)",
        TagSchemeKind.Iob1 => "IOB1",
        TagSchemeKind.Iobes => "IOBES",
        TagSchemeKind.Bilou => "BILOU",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// Recognises the scheme of <paramref name="tags"/> (see the remarks of <see cref="TagScheme"/>), telling
    /// BIO from IOB1 by <paramref name="labelSequences"/> when given: each a sequence of indices into
    /// <paramref name="tags"/>. Throws <see cref="ArgumentException"/> naming the tags when schemes are mixed.
    /// </summary>
    public static TagScheme Detect(IReadOnlyList<string> tags, IEnumerable<IReadOnlyList<int>>? labelSequences = null) =>
        Create(DetectKind(tags, labelSequences), tags);

    /// <summary>The scheme <see cref="Detect"/> would read <paramref name="tags"/> with.</summary>
    public static TagSchemeKind DetectKind(IReadOnlyList<string> tags, IEnumerable<IReadOnlyList<int>>? labelSequences = null)
    {
        TagSchemeKind letters = DetectLetters(tags);
        return letters == TagSchemeKind.Bio ? BioOrIob1(tags, labelSequences) : letters;
    }

    /// <summary>
    /// The scheme of <paramref name="tags"/> by their letters alone: <see cref="TagSchemeKind.Plain"/>,
    /// <see cref="TagSchemeKind.Iobes"/>, <see cref="TagSchemeKind.Bilou"/>, or <see cref="TagSchemeKind.Bio"/>
    /// for B- and I- tags, IOB1 included: enough where the two read alike (conlleval's chunks), not for a CRF's
    /// transitions. Throws <see cref="ArgumentException"/> naming the tags when schemes are mixed.
    /// </summary>
    public static TagSchemeKind DetectLetters(IReadOnlyList<string> tags) =>
        TryDetectLetters(tags, out TagSchemeKind kind, out string? problem) ? kind : throw new ArgumentException(problem, nameof(tags));

    /// <summary>
    /// <see cref="DetectLetters"/> without the exception: false, with <paramref name="problem"/> saying which
    /// tags mix which schemes (a sentence), when schemes are mixed.
    /// </summary>
    public static bool TryDetectLetters(IReadOnlyList<string> tags, out TagSchemeKind kind, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(tags);
        kind = TagSchemeKind.Plain;
        problem = null;
        var prefixed = new List<string>();
        var unprefixed = new List<string>();
        var endOrSingle = new List<string>();
        var lastOrUnit = new List<string>();
        foreach (string tag in tags)
        {
            if (tag is null)
                throw new ArgumentException("The tags include a null; expected a tag such as O or B-person.", nameof(tags));
            if (tag == OutsideTag)
                continue;
            if (!TrySplit(tag, out char letter, out _))
            {
                unprefixed.Add(tag);
                continue;
            }
            prefixed.Add(tag);
            if (letter is 'E' or 'S')
                endOrSingle.Add(tag);
            else if (letter is 'L' or 'U')
                lastOrUnit.Add(tag);
        }

        if (prefixed.Count == 0)
            return true;
        if (unprefixed.Count > 0)
        {
            problem = $"The tags mix scheme prefixes ({Name(prefixed)}) with tags that have none ({Name(unprefixed)}); " +
                "expected every tag other than O to carry a prefix (B-, I-, E-, S-, L- or U- and a type), or none to.";
            return false;
        }
        if (endOrSingle.Count > 0 && lastOrUnit.Count > 0)
        {
            problem = $"The tags mix IOBES letters ({Name(endOrSingle)}) with BILOU letters ({Name(lastOrUnit)}); " +
                "expected E- and S- (IOBES) or L- and U- (BILOU), not both.";
            return false;
        }
        kind = endOrSingle.Count > 0 ? TagSchemeKind.Iobes
            : lastOrUnit.Count > 0 ? TagSchemeKind.Bilou
            : TagSchemeKind.Bio;
        return true;
    }

    /// <summary>
    /// <paramref name="tags"/> read as scheme <paramref name="kind"/>; throws <see cref="ArgumentException"/>
    /// naming the tags that do not belong to it, or a tag given twice.
    /// </summary>
    public static TagScheme Create(TagSchemeKind kind, IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        _ = NameOf(kind);
        var ownTags = new string[tags.Count];
        var roles = new TagRole[tags.Count];
        var entityTypeIndices = new int[tags.Count];
        var entityTypes = new List<string>();
        var typeIndexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var misfits = new List<string>();
        for (int i = 0; i < tags.Count; i++)
        {
            string tag = tags[i] ?? throw new ArgumentException($"Tag {i} is null; expected a tag such as O or B-person.", nameof(tags));
            if (!seen.Add(tag))
                throw new ArgumentException($"Tag '{tag}' is given twice; expected each tag once.", nameof(tags));
            ownTags[i] = tag;
            if (!TryParse(kind, tag, out TagRole role, out string? entityType))
            {
                misfits.Add(tag);
                continue;
            }
            roles[i] = role;
            if (entityType is null)
            {
                entityTypeIndices[i] = -1;
                continue;
            }
            if (!typeIndexByName.TryGetValue(entityType, out int typeIndex))
            {
                typeIndex = entityTypes.Count;
                typeIndexByName.Add(entityType, typeIndex);
                entityTypes.Add(entityType);
            }
            entityTypeIndices[i] = typeIndex;
        }
        if (misfits.Count > 0)
        {
            throw new ArgumentException(
                $"The tags {Name(misfits)} do not belong to the {NameOf(kind)} scheme; expected {LettersOf(kind)}.", nameof(tags));
        }
        return new TagScheme(kind, ownTags, roles, entityTypeIndices, [.. entityTypes]);
    }

    /// <summary>
    /// Reads <paramref name="tag"/> as a tag of scheme <paramref name="kind"/>: its role and entity type
    /// (null for O); false when the scheme has no such tag.
    /// </summary>
    public static bool TryParse(TagSchemeKind kind, string tag, out TagRole role, out string? entityType)
    {
        ArgumentNullException.ThrowIfNull(tag);
        role = TagRole.Outside;
        entityType = null;
        if (tag == OutsideTag)
            return true;
        if (kind == TagSchemeKind.Plain)
        {
            role = TagRole.Single;
            entityType = tag;
            return true;
        }
        if (!TrySplit(tag, out char letter, out string type))
            return false;
        TagRole? read = (kind, letter) switch
        {
            (_, 'B') => TagRole.Begin,
            (_, 'I') => TagRole.Inside,
            (TagSchemeKind.Iobes, 'E') or (TagSchemeKind.Bilou, 'L') => TagRole.End,
            (TagSchemeKind.Iobes, 'S') or (TagSchemeKind.Bilou, 'U') => TagRole.Single,
            _ => null,
        };
        if (read is null)
            return false;
        role = read.Value;
        entityType = type;
        return true;
    }

    /// <summary>The transitions a CRF over these tags may take, by this scheme's rules.</summary>
    public TagTransitions Transitions() => TagTransitions.For(this);

    /// <summary>"B-person" → ('B', "person"); false unless a prefix letter, a hyphen and a non-empty type.</summary>
    private static bool TrySplit(string tag, out char letter, out string type)
    {
        letter = '\0';
        type = "";
        if (tag.Length < 3 || tag[1] != '-' || tag[0] is not ('B' or 'I' or 'E' or 'S' or 'L' or 'U'))
            return false;
        letter = tag[0];
        type = tag[2..];
        return true;
    }

    private static TagSchemeKind BioOrIob1(IReadOnlyList<string> tags, IEnumerable<IReadOnlyList<int>>? labelSequences)
    {
        TagScheme bio = Create(TagSchemeKind.Bio, tags);
        if (labelSequences is not null)
        {
            (string? beginsWithInside, string? beginsWithBegin) = FirstEntityBeginnings(bio, labelSequences);
            if (beginsWithInside is not null && beginsWithBegin is not null)
            {
                throw new ArgumentException(
                    $"The label sequences mix IOB1 and BIO (IOB2): {beginsWithInside} begins an entity with I-, as only IOB1 does, " +
                    $"and {beginsWithBegin} begins one with B-, as only BIO does; expected one scheme throughout " +
                    "(in BIO every entity begins with B-; in IOB1 B- only separates adjacent entities of the same type).",
                    nameof(labelSequences));
            }
            if (beginsWithInside is not null)
                return TagSchemeKind.Iob1;
            if (beginsWithBegin is not null)
                return TagSchemeKind.Bio;
        }

        var typesWithBegin = new HashSet<int>();
        var typesWithInside = new HashSet<int>();
        for (int tag = 0; tag < bio.Count; tag++)
        {
            if (bio.roles[tag] == TagRole.Begin)
                typesWithBegin.Add(bio.entityTypeIndices[tag]);
            else if (bio.roles[tag] == TagRole.Inside)
                typesWithInside.Add(bio.entityTypeIndices[tag]);
        }
        var insideOnly = new List<string>();
        var beginOnly = new List<string>();
        for (int tag = 0; tag < bio.Count; tag++)
        {
            if (bio.roles[tag] == TagRole.Inside && !typesWithBegin.Contains(bio.entityTypeIndices[tag]))
                insideOnly.Add(bio.tags[tag]);
            else if (bio.roles[tag] == TagRole.Begin && !typesWithInside.Contains(bio.entityTypeIndices[tag]))
                beginOnly.Add(bio.tags[tag]);
        }
        if (insideOnly.Count > 0 && beginOnly.Count > 0)
        {
            throw new ArgumentException(
                $"The tags mix IOB1 and BIO (IOB2): {Name(insideOnly)} have no B- tag of their type, which only IOB1 allows, " +
                $"and {Name(beginOnly)} have no I- tag of their type, which only BIO allows; expected one scheme throughout.",
                nameof(tags));
        }
        return insideOnly.Count > 0 ? TagSchemeKind.Iob1 : TagSchemeKind.Bio;
    }

    /// <summary>Where an entity first begins with I- and where one first begins with B-, as "sequence 3, position 0 (I-person first)".</summary>
    private static (string? BeginsWithInside, string? BeginsWithBegin) FirstEntityBeginnings(
        TagScheme bio, IEnumerable<IReadOnlyList<int>> labelSequences)
    {
        string? beginsWithInside = null;
        string? beginsWithBegin = null;
        int sequenceIndex = 0;
        foreach (IReadOnlyList<int> sequence in labelSequences)
        {
            int previous = -1;
            for (int position = 0; position < sequence.Count; position++)
            {
                int tag = sequence[position];
                if ((uint)tag >= (uint)bio.Count)
                {
                    throw new ArgumentOutOfRangeException(nameof(labelSequences),
                        $"Label sequence {sequenceIndex}, position {position}: tag index {tag} is out of range; expected 0 to {bio.Count - 1}.");
                }
                TagRole role = bio.roles[tag];
                bool beginsEntity = role != TagRole.Outside
                    && (previous < 0 || bio.roles[previous] == TagRole.Outside || bio.entityTypeIndices[previous] != bio.entityTypeIndices[tag]);
                if (beginsEntity)
                {
                    string where = $"sequence {sequenceIndex}, position {position} ({bio.tags[tag]} {(previous < 0 ? "first" : "after " + bio.tags[previous])})";
                    if (role == TagRole.Inside)
                        beginsWithInside ??= where;
                    else
                        beginsWithBegin ??= where;
                }
                previous = tag;
            }
            if (beginsWithInside is not null && beginsWithBegin is not null)
                break;
            sequenceIndex++;
        }
        return (beginsWithInside, beginsWithBegin);
    }

    /// <summary>The tags of scheme <paramref name="kind"/>, for messages: "O, B-X and I-X".</summary>
    public static string LettersOf(TagSchemeKind kind) => kind switch
    {
        TagSchemeKind.Bio or TagSchemeKind.Iob1 => "O, B-X and I-X",
        TagSchemeKind.Iobes => "O, B-X, I-X, E-X and S-X",
        TagSchemeKind.Bilou => "O, B-X, I-X, L-X and U-X",
        _ => "any tag",
    };

    /// <summary>"'B-person', 'I-person'" — at most <see cref="TagsNamed"/> of them, then how many more.</summary>
    private static string Name(IReadOnlyList<string> tags)
    {
        string named = string.Join(", ", tags.Take(TagsNamed).Select(tag => $"'{tag}'"));
        return tags.Count > TagsNamed ? $"{named} and {tags.Count - TagsNamed} more" : named;
    }
}
