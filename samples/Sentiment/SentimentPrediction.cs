namespace Sentiment;

/// <summary>What a binary classifier writes for one review.</summary>
public sealed class SentimentPrediction
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }

    public float Score { get; set; }
}
