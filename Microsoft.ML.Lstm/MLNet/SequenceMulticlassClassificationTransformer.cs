using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Scores sequences with a trained recurrent network for classification into K classes. Writes
/// <c>Score</c> (softmax of the K logits, float vector [K]) and <c>PredictedLabel</c> (the most
/// probable class, a key with the training label's values), the columns
/// <c>MulticlassClassification.Evaluate</c> reads.
/// </summary>
public sealed partial class SequenceMulticlassClassificationTransformer : SequencePredictionTransformerBase
{
    /// <summary>The training label's key values, one per class; empty when the label had none.</summary>
    private readonly string[] _classNames;
    private readonly PredictionColumn[] _columns;

    /// <summary>A transformer over a trained network with one logit per class.</summary>
    /// <param name="env">The host environment.</param>
    /// <param name="model">The network; one logit per class.</param>
    /// <param name="features">What the feature column holds.</param>
    /// <param name="classNames">The label's key values, one per class, or empty.</param>
    internal SequenceMulticlassClassificationTransformer(IHostEnvironment env, SequenceModel model, SequenceFeatures features, IReadOnlyList<string> classNames)
        : base(env, nameof(SequenceMulticlassClassificationTransformer), model, features)
    {
        ClassCount = PooledOutputSize("A multiclass classifier");
        _classNames = [.. classNames];
        if (ClassCount < 2)
            throw new InvalidDataException($"A multiclass network has one output per class, at least two; this one has {ClassCount}.");
        if (_classNames.Length != 0 && _classNames.Length != ClassCount)
            throw new InvalidDataException($"The network has {ClassCount} outputs but {_classNames.Length} class names are given.");
        _columns =
        [
            new VectorPredictionColumn(PredictionColumnNames.Score, ClassCount,
                SoftmaxCrossEntropyLoss<float>.Softmax, Role(PredictionValue.Score), _classNames),
            new ScalarPredictionColumn<uint>(PredictionColumnNames.PredictedLabel, new KeyDataViewType(typeof(uint), ClassCount),
                logits => (uint)Classification.ArgMax(logits) + 1, Role(PredictionValue.PredictedLabel), _classNames),
        ];
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    private protected override IReadOnlyList<PredictionColumn> PredictionColumns => _columns;

    private protected override void SaveExtras(ModelFileWriter file) => SequenceTransformerFile.WriteClassNames(file, _classNames);

    private protected override SequencePredictionTransformerBase WithModelCore(SequenceModel model) =>
        new SequenceMulticlassClassificationTransformer(Host, model, Features, _classNames);

    private static PredictionRole Role(PredictionValue value) => new(PredictionTask.MulticlassClassification, value);

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
