namespace Featurize;

/// <summary>One review: its text and whether it is positive (read by the models only for the labelled few).</summary>
public sealed class ReviewRow
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}
