namespace Microsoft.ML.Lstm.Networks;

/// <summary>The names of what <see cref="NetworkOnnxWriter.Encode"/> wrote.</summary>
/// <param name="Steps">The last layer's per-step features, step-major [L, N, D] (zero past each sequence's end).</param>
/// <param name="FinalHidden">
/// The last layer's final hidden states [N, D] when they are exactly the last-state pooling (one direction, or two
/// concatenated: the forward one at the last step, the backward one at the first); null for summed or averaged directions.
/// </param>
internal sealed record EncodedSteps(string Steps, string? FinalHidden);
