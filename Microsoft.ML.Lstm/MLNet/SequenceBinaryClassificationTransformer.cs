using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
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
    private static readonly PredictionColumn[] Columns =
    [
        new ScalarPredictionColumn<float>(PredictionColumnNames.Score, NumberDataViewType.Single,
            logit => logit[0], Role(PredictionValue.Score)),
        new ScalarPredictionColumn<float>(PredictionColumnNames.Probability, NumberDataViewType.Single,
            logit => Activations.Sigmoid(logit[0]), Role(PredictionValue.Probability)),
        new ScalarPredictionColumn<bool>(PredictionColumnNames.PredictedLabel, BooleanDataViewType.Instance,
            logit => logit[0] > 0f, Role(PredictionValue.PredictedLabel)),
    ];

    /// <summary>A transformer over a trained network with one output, the logit of the positive class.</summary>
    internal SequenceBinaryClassificationTransformer(IHostEnvironment env, SequenceModel model, SequenceFeatures features)
        : base(env, nameof(SequenceBinaryClassificationTransformer), model, features)
    {
        int outputs = PooledOutputSize("A binary classifier");
        if (outputs != 1)
            throw new InvalidDataException($"A binary classifier's network has one output (the logit); this one has {outputs}.");
    }

    private protected override IReadOnlyList<PredictionColumn> PredictionColumns => Columns;

    private protected override SequencePredictionTransformerBase WithModelCore(SequenceModel model) =>
        new SequenceBinaryClassificationTransformer(Host, model, Features);

    private static PredictionRole Role(PredictionValue value) => new(PredictionTask.BinaryClassification, value);

    /// <summary>
    /// A transformer that writes this model's pooled vector (what its output layer reads: the encoder's outputs
    /// pooled as the model pools them) as a float vector column, equal to the model's own bit for bit; for SDCA,
    /// LightGBM, k-means or any ML.NET component. The model is not changed.
    /// </summary>
    /// <param name="outputColumnName">The column written.</param>
    /// <returns>A featurizer reading this model's feature column.</returns>
    public LstmFeaturizingTransformer AsFeaturizer(string outputColumnName = "Features") =>
        LstmFeaturizingTransformer.FromPredictor(Host, Model, Features, outputColumnName, [((Networks.PooledHeadSpec)Model.Spec.Head).Pooling]);
}
