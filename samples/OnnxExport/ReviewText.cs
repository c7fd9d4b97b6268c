namespace OnnxExport;

/// <summary>A review's text alone: the exported graph's one input.</summary>
public sealed class ReviewText
{
    public string Text { get; set; } = "";
}
