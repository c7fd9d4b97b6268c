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

    private readonly bool _vectorScore;
    private readonly PredictionColumn[] _columns;

    /// <summary>A transformer over a trained network with one output per target.</summary>
    /// <param name="env">The host environment.</param>
    /// <param name="model">The network: one output, or K for K targets.</param>
    /// <param name="features">What the feature column holds.</param>
    /// <param name="vectorScore">Whether <c>Score</c> is a vector (the label was one), else a float from the network's one output.</param>
    internal SequenceRegressionTransformer(IHostEnvironment env, SequenceModel model, SequenceFeatures features, bool vectorScore)
        : base(env, nameof(SequenceRegressionTransformer), model, features)
    {
        TargetCount = PooledOutputSize("A regression model");
        if (!vectorScore && TargetCount != 1)
            throw new InvalidDataException($"A regression network with a single Score has one output; this one has {TargetCount}.");
        _vectorScore = vectorScore;
        _columns =
        [
            vectorScore
                ? new VectorPredictionColumn(PredictionColumnNames.Score, TargetCount,
                    role: new PredictionRole(PredictionTask.MultiOutputRegression, PredictionValue.Score))
                : new ScalarPredictionColumn<float>(PredictionColumnNames.Score, NumberDataViewType.Single,
                    prediction => prediction[0], new PredictionRole(PredictionTask.Regression, PredictionValue.Score)),
        ];
    }

    /// <summary>Numbers predicted per row: 1, or K for a network trained on a vector of K targets.</summary>
    public int TargetCount { get; }

    private protected override IReadOnlyList<PredictionColumn> PredictionColumns => _columns;

    private protected override void SaveExtras(ModelFileWriter file) => file.Section(ScoreSection).WriteBoolean(_vectorScore);

    /// <summary>Whether the saved transformer's <c>Score</c> is a vector.</summary>
    private static bool ReadVectorScore(SequenceTransformerFile file)
    {
        ModelSectionReader section = file.Open(ScoreSection);
        bool vectorScore = section.ReadBoolean("vector score");
        section.ExpectEnd();
        return vectorScore;
    }
}
