using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Scores sequences with a trained recurrent network for regression. Writes <c>Score</c> (float),
/// the column <c>Regression.Evaluate</c> reads.
/// </summary>
public sealed partial class SequenceRegressionTransformer : SequencePredictionTransformerBase
{
    private static readonly PredictionColumn[] Columns =
    [
        new ScalarPredictionColumn<float>(PredictionColumnNames.Score, NumberDataViewType.Single,
            prediction => prediction[0], new PredictionRole(PredictionTask.Regression, PredictionValue.Score)),
    ];

    /// <summary>A transformer over a trained network with one output, the predicted number.</summary>
    internal SequenceRegressionTransformer(IHostEnvironment env, SequenceModel model, SequenceFeatures features)
        : base(env, nameof(SequenceRegressionTransformer), model, features)
    {
        int outputs = PooledOutputSize("A regression model");
        if (outputs != 1)
            throw new InvalidDataException($"A regression network has one output; this one has {outputs}.");
    }

    private protected override IReadOnlyList<PredictionColumn> PredictionColumns => Columns;
}
