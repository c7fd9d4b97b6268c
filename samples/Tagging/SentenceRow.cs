namespace Tagging;

/// <summary>One sentence: its tokens and one tag per token (BIO: B-person, I-person, O, …).</summary>
public sealed class SentenceRow
{
    /// <summary>The tokens, as written.</summary>
    public string[] Tokens { get; set; } = [];

    /// <summary>One tag per token.</summary>
    public string[] Tags { get; set; } = [];
}
