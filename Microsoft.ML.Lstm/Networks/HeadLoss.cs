namespace Microsoft.ML.Lstm.Networks;

/// <summary>What a head's loss says of a batch.</summary>
/// <param name="Mean">The mean loss over <paramref name="Units"/>.</param>
/// <param name="Units">What the mean is over (sequences, or steps), to weigh batches against each other.</param>
/// <param name="Correct">Units predicted right, for a head that classifies; null for one that does not.</param>
internal readonly record struct HeadLoss(double Mean, long Units, long? Correct);
