using Microsoft.ML.Lstm.MLNet;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class TagSchemeTests
{
    private static readonly string[] BioTags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];

    private static readonly string[] IobesTags = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC"];

    private static readonly string[] BilouTags = ["O", "B-PER", "I-PER", "L-PER", "U-PER", "B-LOC", "I-LOC", "L-LOC", "U-LOC"];

    /// <summary>Tag sequences as indices into <paramref name="tags"/>, each written as space-separated tags.</summary>
    private static IReadOnlyList<int>[] Sequences(string[] tags, params string[] sentences) =>
        [.. sentences.Select(sentence => (IReadOnlyList<int>)[.. sentence.Split(' ').Select(tag => Array.IndexOf(tags, tag))])];

    [Fact]
    public void BioTagsReadAsBio()
    {
        var scheme = TagScheme.Detect(BioTags);

        Assert.Equal(TagSchemeKind.Bio, scheme.Kind);
        Assert.Equal([TagRole.Outside, TagRole.Begin, TagRole.Inside, TagRole.Begin, TagRole.Inside], scheme.Roles.ToArray());
        Assert.Equal(["PER", "LOC"], scheme.EntityTypes);
        Assert.Equal([-1, 0, 0, 1, 1], scheme.EntityTypeIndices.ToArray());
        Assert.Null(scheme.EntityTypeOf(0));
        Assert.Equal("LOC", scheme.EntityTypeOf(4));
    }

    [Fact]
    public void TypesKeepTheirHyphens()
    {
        var scheme = TagScheme.Detect(["O", "B-creative-work", "I-creative-work"]);

        Assert.Equal(["creative-work"], scheme.EntityTypes);
    }

    [Fact]
    public void LabelSequencesTellIob1FromBioWhenTheTagSetCannot()
    {
        // The same tag set is valid BIO and valid IOB1.
        string[] tags = ["O", "B-PER", "I-PER"];

        Assert.Equal(TagSchemeKind.Bio, TagScheme.DetectKind(tags));
        // Every entity begins with B-: BIO.
        Assert.Equal(TagSchemeKind.Bio, TagScheme.DetectKind(tags, Sequences(tags, "O B-PER I-PER O", "B-PER B-PER")));
        // Entities begin with I- (first, after O); B- only separates two adjacent PER entities: IOB1.
        Assert.Equal(TagSchemeKind.Iob1, TagScheme.DetectKind(tags, Sequences(tags, "I-PER I-PER B-PER O", "O I-PER")));
        // No entity at all: the tag set decides.
        Assert.Equal(TagSchemeKind.Bio, TagScheme.DetectKind(tags, Sequences(tags, "O O")));
    }

    [Fact]
    public void IAfterAnotherTypeBeginsAnIob1Entity()
    {
        string[] tags = ["O", "B-PER", "I-PER", "I-LOC"];

        Assert.Equal(TagSchemeKind.Iob1, TagScheme.DetectKind(tags, Sequences(tags, "I-PER I-LOC", "I-PER B-PER")));
    }

    [Fact]
    public void ATypeWithIButNoBIsIob1()
    {
        // PER has I- and no B-: no BIO entity of type PER could begin.
        Assert.Equal(TagSchemeKind.Iob1, TagScheme.DetectKind(["O", "I-PER", "I-LOC", "B-LOC"]));
    }

    [Fact]
    public void LabelSequencesMixingIob1AndBioAreRefused()
    {
        string[] tags = BioTags;

        var error = Assert.Throws<ArgumentException>(() => TagScheme.Detect(tags, Sequences(tags, "O B-LOC I-LOC", "I-PER O")));

        Assert.Contains("mix IOB1 and BIO", error.Message);
        Assert.Contains("sequence 1, position 0 (I-PER first)", error.Message);
        Assert.Contains("sequence 0, position 1 (B-LOC after O)", error.Message);
    }

    [Fact]
    public void TagSetsMixingIob1AndBioAreRefused()
    {
        // PER has only I- (IOB1), LOC only B- (BIO).
        var error = Assert.Throws<ArgumentException>(() => TagScheme.Detect(["O", "I-PER", "B-LOC"]));

        Assert.Contains("'I-PER'", error.Message);
        Assert.Contains("'B-LOC'", error.Message);
    }

    [Fact]
    public void LabelSequenceTagsOutOfRangeAreRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TagScheme.Detect(BioTags, [[0, 5]]));

        Assert.Contains("Label sequence 0, position 1: tag index 5", error.Message);
    }

    [Fact]
    public void IobesTagsReadAsIobes()
    {
        var scheme = TagScheme.Detect(IobesTags);

        Assert.Equal(TagSchemeKind.Iobes, scheme.Kind);
        Assert.Equal(
            [TagRole.Outside, TagRole.Begin, TagRole.Inside, TagRole.End, TagRole.Single, TagRole.Begin, TagRole.Inside, TagRole.End, TagRole.Single],
            scheme.Roles.ToArray());
        Assert.Equal(["PER", "LOC"], scheme.EntityTypes);
    }

    [Fact]
    public void BilouTagsReadAsIobesWithOtherLetters()
    {
        var bilou = TagScheme.Detect(BilouTags);
        var iobes = TagScheme.Detect(IobesTags);

        Assert.Equal(TagSchemeKind.Bilou, bilou.Kind);
        Assert.Equal(iobes.Roles.ToArray(), bilou.Roles.ToArray());
        Assert.Equal(iobes.EntityTypeIndices.ToArray(), bilou.EntityTypeIndices.ToArray());
    }

    [Fact]
    public void SOrEAloneIsEnoughForIobes()
    {
        Assert.Equal(TagSchemeKind.Iobes, TagScheme.DetectKind(["O", "S-PER"]));
        Assert.Equal(TagSchemeKind.Bilou, TagScheme.DetectKind(["U-PER", "O", "B-LOC", "I-LOC"]));
    }

    [Fact]
    public void TagsWithoutPrefixesArePlain()
    {
        var scheme = TagScheme.Detect(["DT", "NN", "VB", "O", "-LRB-", "PRP$"]);

        Assert.Equal(TagSchemeKind.Plain, scheme.Kind);
        // Every tag is its own type and a one-token entity; O stays outside.
        Assert.Equal([TagRole.Single, TagRole.Single, TagRole.Single, TagRole.Outside, TagRole.Single, TagRole.Single], scheme.Roles.ToArray());
        Assert.Equal(["DT", "NN", "VB", "-LRB-", "PRP$"], scheme.EntityTypes);
    }

    [Fact]
    public void LowerCasePrefixesAreNotPrefixes()
    {
        Assert.Equal(TagSchemeKind.Plain, TagScheme.DetectKind(["b-per", "i-per", "O"]));
    }

    [Fact]
    public void IobesBesideBilouIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => TagScheme.Detect(["O", "B-PER", "E-PER", "S-PER", "U-LOC", "L-LOC"]));

        Assert.Contains("IOBES letters ('E-PER', 'S-PER')", error.Message);
        Assert.Contains("BILOU letters ('U-LOC', 'L-LOC')", error.Message);
    }

    [Fact]
    public void PrefixedBesideUnprefixedIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => TagScheme.Detect(["O", "B-PER", "I-PER", "LOC", "NN"]));

        Assert.Contains("('B-PER', 'I-PER')", error.Message);
        Assert.Contains("none ('LOC', 'NN')", error.Message);
    }

    [Fact]
    public void ErrorsNameAFewTagsAndCountTheRest()
    {
        string[] tags = ["B-A", .. Enumerable.Range(0, 8).Select(i => $"T{i}")];

        var error = Assert.Throws<ArgumentException>(() => TagScheme.Detect(tags));

        Assert.Contains("'T0', 'T1', 'T2', 'T3', 'T4' and 3 more", error.Message);
    }

    [Fact]
    public void CreateRefusesTagsOfAnotherScheme()
    {
        var error = Assert.Throws<ArgumentException>(() => TagScheme.Create(TagSchemeKind.Bio, ["O", "B-PER", "E-PER", "U-PER"]));

        Assert.Contains("'E-PER', 'U-PER' do not belong to the BIO (IOB2) scheme", error.Message);
    }

    [Fact]
    public void CreateRefusesATagGivenTwice()
    {
        var error = Assert.Throws<ArgumentException>(() => TagScheme.Create(TagSchemeKind.Bio, ["O", "B-PER", "O"]));

        Assert.Contains("'O' is given twice", error.Message);
    }

    /// <summary>The masks as rows of 1 (allowed) and 0: one row per "from" tag, then the start row and the end row.</summary>
    private static string[] Masks(TagScheme scheme)
    {
        TagTransitions transitions = scheme.Transitions();
        int count = scheme.Count;
        var rows = new List<string>();
        for (int from = 0; from < count; from++)
            rows.Add(string.Concat(Enumerable.Range(0, count).Select(to => transitions.IsAllowed(from, to) ? '1' : '0')));
        rows.Add("start " + string.Concat(transitions.AllowedStart.ToArray().Select(allowed => allowed ? '1' : '0')));
        rows.Add("end " + string.Concat(transitions.AllowedEnd.ToArray().Select(allowed => allowed ? '1' : '0')));
        return [.. rows];
    }

    [Fact]
    public void BioMasks()
    {
        // Columns (to) and rows (from): O, B-PER, I-PER, B-LOC, I-LOC.
        // I-X only after B-X or I-X; no start at I-X.
        Assert.Equal(
            [
                "11010", // O
                "11110", // B-PER
                "11110", // I-PER
                "11011", // B-LOC
                "11011", // I-LOC
                "start 11010",
                "end 11111",
            ],
            Masks(TagScheme.Create(TagSchemeKind.Bio, BioTags)));
    }

    [Fact]
    public void Iob1Masks()
    {
        // Columns (to) and rows (from): O, B-PER, I-PER, B-LOC, I-LOC.
        // B-X only after B-X or I-X (it separates adjacent X entities); I-X after anything; no start at B-X.
        Assert.Equal(
            [
                "10101", // O
                "11101", // B-PER
                "11101", // I-PER
                "10111", // B-LOC
                "10111", // I-LOC
                "start 10101",
                "end 11111",
            ],
            Masks(TagScheme.Create(TagSchemeKind.Iob1, BioTags)));
    }

    [Fact]
    public void IobesMasks()
    {
        // Columns (to) and rows (from): O, B-PER, I-PER, E-PER, S-PER, B-LOC, I-LOC, E-LOC, S-LOC.
        // Inside an entity (after B-X, I-X) only I-X or E-X; outside one (after O, E-, S-) only O, B- or S-;
        // start outside an entity, end outside one.
        Assert.Equal(
            [
                "110011001", // O
                "001100000", // B-PER
                "001100000", // I-PER
                "110011001", // E-PER
                "110011001", // S-PER
                "000000110", // B-LOC
                "000000110", // I-LOC
                "110011001", // E-LOC
                "110011001", // S-LOC
                "start 110011001",
                "end 100110011",
            ],
            Masks(TagScheme.Detect(IobesTags)));
    }

    [Fact]
    public void BilouMasksAreIobesMasks()
    {
        Assert.Equal(Masks(TagScheme.Detect(IobesTags)), Masks(TagScheme.Detect(BilouTags)));
    }

    [Fact]
    public void PlainMasksAllowEverything()
    {
        Assert.Equal(["111", "111", "111", "start 111", "end 111"], Masks(TagScheme.Detect(["NN", "VB", "O"])));
    }

    [Fact]
    public void MasksFollowTheGivenTagOrder()
    {
        // A tagger's classes come in key order, not in a tidy one.
        var scheme = TagScheme.Detect(["I-LOC", "O", "B-LOC"]);

        // I-LOC may follow B-LOC and I-LOC, not O; a sequence cannot start at I-LOC.
        Assert.Equal(["111", "011", "111", "start 011", "end 111"], Masks(scheme));
    }

    public static TheoryData<string> Schemes => ["Bio", "Iob1", "Iobes", "Bilou", "Plain"];

    /// <summary>
    /// Every sequence of up to four tags the masks allow is the one way its scheme writes its entities, and every
    /// sequence they forbid is not: decoding within the masks never emits an invalid sequence, and loses none.
    /// </summary>
    [Theory]
    [MemberData(nameof(Schemes))]
    public void MasksAllowExactlyTheSequencesThatWriteTheirEntitiesTheSchemesWay(string schemeName)
    {
        var kind = Enum.Parse<TagSchemeKind>(schemeName);
        string[] tags = kind switch
        {
            TagSchemeKind.Iobes => IobesTags,
            TagSchemeKind.Bilou => BilouTags,
            TagSchemeKind.Plain => ["O", "NN", "VB"],
            _ => BioTags,
        };
        var scheme = TagScheme.Create(kind, tags);
        TagTransitions transitions = scheme.Transitions();
        int allowedCount = 0;
        foreach (int[] sequence in AllSequences(tags.Length, maxLength: 4))
        {
            bool allowed = sequence.Length == 0
                || (transitions.AllowedStart[sequence[0]] && transitions.AllowedEnd[sequence[^1]]
                    && Enumerable.Range(1, sequence.Length - 1).All(i => transitions.IsAllowed(sequence[i - 1], sequence[i])));
            var spans = new List<TagSpan>();
            TagSpans.Extract(sequence, scheme, spans);
            string written = string.Join(' ', sequence.Select(tag => tags[tag]));
            string canonical = string.Join(' ', Write(scheme, spans, sequence.Length));

            Assert.True(allowed == (written == canonical), $"{written}: masks say {(allowed ? "allowed" : "forbidden")}, its entities are written {canonical}");
            allowedCount += allowed ? 1 : 0;
        }
        Assert.True(allowedCount > 10);
    }

    private static IEnumerable<int[]> AllSequences(int tagCount, int maxLength)
    {
        for (int length = 0; length <= maxLength; length++)
        {
            var sequence = new int[length];
            int total = (int)Math.Pow(tagCount, length);
            for (int number = 0; number < total; number++)
            {
                for (int position = 0, rest = number; position < length; position++, rest /= tagCount)
                    sequence[position] = rest % tagCount;
                yield return (int[])sequence.Clone();
            }
        }
    }

    /// <summary>The tags <paramref name="scheme"/> writes for <paramref name="spans"/>, from first principles.</summary>
    private static string[] Write(TagScheme scheme, List<TagSpan> spans, int length)
    {
        var written = Enumerable.Repeat("O", length).ToArray();
        TagSpan? previous = null;
        foreach (TagSpan span in spans)
        {
            string type = scheme.EntityTypes[span.EntityType];
            bool followsSameType = previous is { } p && p.End == span.Start && p.EntityType == span.EntityType;
            for (int position = span.Start; position < span.End; position++)
            {
                bool first = position == span.Start;
                bool last = position == span.End - 1;
                written[position] = scheme.Kind switch
                {
                    TagSchemeKind.Plain => type,
                    TagSchemeKind.Bio => first ? $"B-{type}" : $"I-{type}",
                    TagSchemeKind.Iob1 => first && followsSameType ? $"B-{type}" : $"I-{type}",
                    TagSchemeKind.Iobes => first && last ? $"S-{type}" : first ? $"B-{type}" : last ? $"E-{type}" : $"I-{type}",
                    _ => first && last ? $"U-{type}" : first ? $"B-{type}" : last ? $"L-{type}" : $"I-{type}",
                };
            }
            previous = span;
        }
        return written;
    }
}
