namespace Microsoft.ML.Lstm.Networks;

/// <summary>The training objective, and with it how targets are read.</summary>
internal enum LossKind
{
    /// <summary>Softmax over K outputs; one class index per row. Reports accuracy.</summary>
    SoftmaxCrossEntropy,

    /// <summary>Sigmoid of one output; one 0/1 target per row. Reports accuracy.</summary>
    SigmoidBinaryCrossEntropy,

    /// <summary>Squared error of each output against its target.</summary>
    MeanSquaredError,

    /// <summary>Squared error near the target, absolute error beyond <see cref="PooledHeadSpec.HuberDelta"/>.</summary>
    Huber,
}
