namespace Microsoft.ML.Lstm;

/// <summary>How the outputs of every step of a sequence become the one vector the prediction is made from.</summary>
public enum SequencePoolingMode
{
    /// <summary>
    /// The final state: the last step of the forward direction and, when bidirectional, the first step
    /// of the backward direction (each direction's summary of the whole sequence).
    /// </summary>
    LastState,

    /// <summary>The mean over the steps.</summary>
    Mean,

    /// <summary>The maximum over the steps, feature by feature.</summary>
    Max,

    /// <summary>A weighted mean whose weights a small learned (additive) attention layer gives each step.</summary>
    Attention,
}
