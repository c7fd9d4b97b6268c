using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Scores sequences with a trained recurrent network for regression. Writes <c>Score</c>: a float, the column
/// <c>Regression.Evaluate</c> reads, or a vector of K floats for a network trained on K targets (a vector label).
/// </summary>
public sealed partial class SequenceRegressionTransformer : SequencePredictionTransformerBase
{
    /// <summary>The section holding whether <c>Score</c> is a vector: one bool.</summary>
    private const string ScoreSection = "transformer.score";

    /// <summary>
    /// The section holding the targets' standardization (<see cref="Standardization"/>): count (K) · means · standard
    /// deviations. Absent when the network learned the targets as they are (files written before it, or
    /// <c>StandardizeTargets</c> off).
    /// </summary>
    private const string TargetScalingSection = "transformer.target-scaling";

    private readonly bool _vectorScore;
    private readonly Standardization? _targetScaling;
    private readonly PredictionColumn[] _columns;

    /// <summary>A transformer over a trained network with one output per target.</summary>
    /// <param name="env">The host environment.</param>
    /// <param name="model">The network: one output, or K for K targets.</param>
    /// <param name="features">What the feature column holds.</param>
    /// <param name="vectorScore">Whether <c>Score</c> is a vector (the label was one), else a float from the network's one output.</param>
    /// <param name="targetScaling">How the network's outputs go back to the label's units (y = mean + std · output), one per output; null writes them as they are.</param>
    internal SequenceRegressionTransformer(IHostEnvironment env, SequenceModel model, SequenceFeatures features, bool vectorScore, Standardization? targetScaling = null)
        : base(env, nameof(SequenceRegressionTransformer), model, features)
    {
        TargetCount = PooledOutputSize("A regression model");
        if (!vectorScore && TargetCount != 1)
            throw new InvalidDataException($"A regression network with a single Score has one output; this one has {TargetCount}.");
        if (targetScaling is not null && targetScaling.Count != TargetCount)
            throw new InvalidDataException($"The target standardization holds {targetScaling.Count} targets, but the network has {TargetCount} outputs.");
        _vectorScore = vectorScore;
        _targetScaling = targetScaling;
        Action<ReadOnlySpan<float>, Span<float>>? restore = targetScaling is null ? null : targetScaling.Restore;
        _columns =
        [
            vectorScore
                ? new VectorPredictionColumn(PredictionColumnNames.Score, TargetCount, restore,
                    role: new PredictionRole(PredictionTask.MultiOutputRegression, PredictionValue.Score))
                : new ScalarPredictionColumn<float>(PredictionColumnNames.Score, NumberDataViewType.Single,
                    targetScaling is null ? prediction => prediction[0] : prediction => targetScaling.Means[0] + targetScaling.Deviations[0] * prediction[0],
                    new PredictionRole(PredictionTask.Regression, PredictionValue.Score)),
        ];
    }

    /// <summary>Numbers predicted per row: 1, or K for a network trained on a vector of K targets.</summary>
    public int TargetCount { get; }

    private protected override IReadOnlyList<PredictionColumn> PredictionColumns => _columns;

    private protected override SequencePredictionTransformerBase WithModelCore(SequenceModel model) =>
        new SequenceRegressionTransformer(Host, model, Features, _vectorScore, _targetScaling);

    private protected override void SaveExtras(ModelFileWriter file)
    {
        file.Section(ScoreSection).WriteBoolean(_vectorScore);
        _targetScaling?.Write(file.Section(TargetScalingSection));
    }

    /// <summary>Whether the saved transformer's <c>Score</c> is a vector.</summary>
    private static bool ReadVectorScore(SequenceTransformerFile file)
    {
        ModelSectionReader section = file.Open(ScoreSection);
        bool vectorScore = section.ReadBoolean("vector score");
        section.ExpectEnd();
        return vectorScore;
    }

    /// <summary>The saved targets' standardization, one per network output; null when the file has none (no scaling).</summary>
    private static Standardization? ReadTargetScaling(SequenceTransformerFile file)
    {
        if (!file.Contains(TargetScalingSection))
            return null;
        int outputs = file.Model.Spec.Head is PooledHeadSpec pooled ? pooled.OutputSize : 0;
        return Standardization.Read(file.Open(TargetScalingSection), outputs, "targets");
    }

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
