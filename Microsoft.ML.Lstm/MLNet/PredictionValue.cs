namespace Microsoft.ML.Lstm.MLNet;

/// <summary>What a prediction column holds: ML.NET's "score value kind".</summary>
internal enum PredictionValue
{
    /// <summary>The raw score: a logit, class probabilities, the predicted number(s).</summary>
    Score,

    /// <summary>A calibrated probability.</summary>
    Probability,

    /// <summary>The predicted class.</summary>
    PredictedLabel,
}
