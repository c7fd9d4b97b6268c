using Microsoft.ML.Data;

namespace Sentiment;

/// <summary>One review and whether it is positive.</summary>
public sealed class SentimentRow
{
    [LoadColumn(0)]
    public string Text { get; set; } = "";

    [LoadColumn(1)]
    public bool Label { get; set; }
}
