namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The task whose prediction columns a transformer writes: ML.NET's "score column kind", by which its
/// evaluators and tools find the score columns of the last trainer.
/// </summary>
internal enum PredictionTask
{
    /// <summary>Two classes (<c>BinaryClassification.Evaluate</c>).</summary>
    BinaryClassification,

    /// <summary>One of K classes (<c>MulticlassClassification.Evaluate</c>).</summary>
    MulticlassClassification,

    /// <summary>One number (<c>Regression.Evaluate</c>).</summary>
    Regression,

    /// <summary>Several numbers per row.</summary>
    MultiOutputRegression,
}
