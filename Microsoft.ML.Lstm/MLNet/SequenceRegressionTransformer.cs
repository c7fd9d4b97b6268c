using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Scores sequences with a trained recurrent network for regression. Writes <c>Score</c> (float),
/// the column <c>Regression.Evaluate</c> reads.
/// </summary>
public sealed partial class SequenceRegressionTransformer : SequencePredictionTransformerBase
{
    internal SequenceRegressionTransformer(IHostEnvironment env, ISequenceScorer scorer, string featureColumnName, SequenceInput input)
        : base(env, nameof(SequenceRegressionTransformer), scorer, featureColumnName, input)
    {
        CheckOutputSize(scorer.OutputSize);
    }

    private static void CheckOutputSize(int outputSize)
    {
        if (outputSize != 1)
            throw new InvalidDataException($"A regression network has one output; this one has {outputSize}.");
    }

    private protected override DataViewSchema.DetachedColumn[] MakeOutputColumns(DataViewSchema inputSchema) =>
    [
        new(PredictionColumnNames.Score, NumberDataViewType.Single,
            PredictionAnnotations(inputSchema, PredictionTask.Regression, PredictionValue.Score)),
    ];

    private protected override Delegate MakeOutputGetter(int outputColumn, RowNetworkOutputs outputs) => outputColumn switch
    {
        0 => (ValueGetter<float>)((ref float score) => score = outputs.Current[0]),
        _ => throw new ArgumentOutOfRangeException(nameof(outputColumn)),
    };
}
