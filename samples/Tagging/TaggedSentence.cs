namespace Tagging;

/// <summary>What the tagger adds to a sentence: one predicted tag per token, and each tag's probability.</summary>
public sealed class TaggedSentence
{
    /// <summary>The predicted tags, as strings.</summary>
    public string[] PredictedTags { get; set; } = [];

    /// <summary>Each predicted tag's probability.</summary>
    public float[] Score { get; set; } = [];
}
