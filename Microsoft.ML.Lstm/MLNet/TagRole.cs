namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// What a tag says about its token's place in an entity, whatever the letters of its scheme
/// (BILOU's L and U are <see cref="End"/> and <see cref="Single"/>).
/// </summary>
internal enum TagRole : byte
{
    /// <summary>O: the token belongs to no entity.</summary>
    Outside,

    /// <summary>B-X: the token begins an entity (in IOB1, only one that directly follows an entity of the same type).</summary>
    Begin,

    /// <summary>I-X: the token is inside an entity (in IOB1, it may also begin one).</summary>
    Inside,

    /// <summary>E-X or L-X: the token is the last of an entity of several tokens.</summary>
    End,

    /// <summary>S-X or U-X: a one-token entity; also every tag other than O of a scheme without prefixes.</summary>
    Single,
}
