namespace Featurize;

/// <summary>A piece of text for the character-level language model, and its characters one by one.</summary>
public sealed class TextLine
{
    public string Text { get; set; } = "";

    public string[] Characters { get; set; } = [];

    /// <summary>The piece with its characters split out.</summary>
    public static TextLine Of(string text) => new() { Text = text, Characters = [.. text.Select(c => c.ToString())] };
}
