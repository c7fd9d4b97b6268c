namespace Microsoft.ML.Lstm;

/// <summary>
/// How <c>FeaturizeByLstm</c> turns the encoder's outputs at every step into one vector per row. Combine them to
/// concatenate their vectors, always in the order last state, mean, max.
/// </summary>
[Flags]
public enum LstmFeaturePooling
{
    /// <summary>The final state: the forward direction's at the last token, the backward direction's at the first.</summary>
    LastState = 1,

    /// <summary>The mean of each feature over the tokens.</summary>
    Mean = 2,

    /// <summary>The maximum of each feature over the tokens.</summary>
    Max = 4,

    /// <summary>The last state, the mean and the max, concatenated.</summary>
    All = LastState | Mean | Max,
}
