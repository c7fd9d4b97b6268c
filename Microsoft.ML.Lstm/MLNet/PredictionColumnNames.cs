namespace Microsoft.ML.Lstm.MLNet;

/// <summary>The names ML.NET's evaluators and <c>PredictionEngine</c> users expect for prediction columns.</summary>
internal static class PredictionColumnNames
{
    /// <summary>The raw score: a logit (binary), class probabilities (multiclass), the prediction (regression).</summary>
    public const string Score = "Score";

    /// <summary>The probability of the positive class (binary).</summary>
    public const string Probability = "Probability";

    /// <summary>The predicted label: bool (binary) or key (multiclass).</summary>
    public const string PredictedLabel = "PredictedLabel";
}
