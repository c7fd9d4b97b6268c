namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The distinct tags met while reading a data set, each given a number when first met, so that columns of
/// keys and columns of text (with different key orders, or none) are compared as the same tags.
/// </summary>
internal sealed class TagTable
{
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> idsByText;
    private readonly List<string> tags = [];

    public TagTable() => idsByText = ids.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The tags, by number.</summary>
    public IReadOnlyList<string> Tags => tags;

    /// <summary>The number of <paramref name="tag"/>, added when new (no string is made for a tag already known).</summary>
    public int IdOf(ReadOnlySpan<char> tag)
    {
        if (idsByText.TryGetValue(tag, out int id))
            return id;
        id = tags.Count;
        string text = tag.ToString();
        ids.Add(text, id);
        tags.Add(text);
        return id;
    }
}
