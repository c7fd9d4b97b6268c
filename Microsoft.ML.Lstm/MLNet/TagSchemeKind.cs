namespace Microsoft.ML.Lstm.MLNet;

/// <summary>How a tag set marks where entities begin and end (see <see cref="TagScheme"/> for how it is recognised).</summary>
internal enum TagSchemeKind
{
    /// <summary>
    /// Tags without prefixes (part-of-speech tags, for instance): every tag other than O is its own entity type
    /// and marks a one-token entity (conlleval's <c>-r</c>); any tag may follow any other.
    /// </summary>
    Plain,

    /// <summary>BIO, also called IOB2: B-X begins every entity, I-X continues it, O is outside.</summary>
    Bio,

    /// <summary>
    /// IOB1 (CoNLL-2003's original files): I-X begins and continues entities; B-X begins one only when it
    /// directly follows an entity of the same type X.
    /// </summary>
    Iob1,

    /// <summary>IOBES: B-X begins, I-X continues and E-X ends an entity of several tokens; S-X is a one-token entity.</summary>
    Iobes,

    /// <summary>BILOU: IOBES with other letters, L-X (last) for E-X and U-X (unit) for S-X.</summary>
    Bilou,
}
