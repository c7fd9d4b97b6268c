using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Numerics;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Scores sequences with a trained recurrent network for binary classification. Writes
/// <c>Score</c> (the logit, float), <c>Probability</c> (σ(Score), float) and <c>PredictedLabel</c>
/// (Score &gt; 0, bool), the columns <c>BinaryClassification.Evaluate</c> reads.
/// </summary>
public sealed partial class SequenceBinaryClassificationTransformer : SequencePredictionTransformerBase
{
    internal SequenceBinaryClassificationTransformer(IHostEnvironment env, ISequenceScorer scorer, string featureColumnName, SequenceInput input)
        : base(env, nameof(SequenceBinaryClassificationTransformer), scorer, featureColumnName, input)
    {
        CheckOutputSize(scorer.OutputSize);
    }

    private static void CheckOutputSize(int outputSize)
    {
        if (outputSize != 1)
            throw new InvalidDataException($"A binary classifier's network has one output (the logit); this one has {outputSize}.");
    }

    private protected override DataViewSchema.DetachedColumn[] MakeOutputColumns(DataViewSchema inputSchema) =>
    [
        new(PredictionColumnNames.Score, NumberDataViewType.Single,
            PredictionAnnotations(inputSchema, PredictionTask.BinaryClassification, PredictionValue.Score)),
        new(PredictionColumnNames.Probability, NumberDataViewType.Single,
            PredictionAnnotations(inputSchema, PredictionTask.BinaryClassification, PredictionValue.Probability)),
        new(PredictionColumnNames.PredictedLabel, BooleanDataViewType.Instance,
            PredictionAnnotations(inputSchema, PredictionTask.BinaryClassification, PredictionValue.PredictedLabel)),
    ];

    private protected override Delegate MakeOutputGetter(int outputColumn, RowNetworkOutputs outputs) => outputColumn switch
    {
        0 => (ValueGetter<float>)((ref float score) => score = outputs.Current[0]),
        1 => (ValueGetter<float>)((ref float probability) => probability = Activations.Sigmoid(outputs.Current[0])),
        2 => (ValueGetter<bool>)((ref bool predictedLabel) => predictedLabel = outputs.Current[0] > 0f),
        _ => throw new ArgumentOutOfRangeException(nameof(outputColumn)),
    };
}
