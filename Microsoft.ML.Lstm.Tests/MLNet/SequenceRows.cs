using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>A float sequence with a binary label.</summary>
public sealed class BinarySequenceRow
{
    [VectorType]
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }
}

/// <summary>A float sequence with a class name.</summary>
public sealed class MulticlassSequenceRow
{
    [VectorType]
    public float[] Features { get; set; } = [];

    public string Label { get; set; } = "";
}

/// <summary>A float sequence with a numeric target.</summary>
public sealed class RegressionSequenceRow
{
    [VectorType]
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>A sentence with a binary label.</summary>
public sealed class SentenceRow
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}

/// <summary>The binary columns as PredictionEngine returns them.</summary>
public sealed class BinaryPrediction
{
    public float Score { get; set; }

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}
