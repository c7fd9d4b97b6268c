namespace Microsoft.ML.Lstm.MLNet;

/// <summary>How a sequence arrives in the feature column. The numeric values are written into model files.</summary>
internal enum SequenceInputKind
{
    /// <summary>A vector of keys (token ids), as <c>MapValueToKey</c> writes them.</summary>
    TokenKeys = 1,

    /// <summary>A vector of floats holding a fixed number of features per step, step after step.</summary>
    FloatSteps = 2,
}
