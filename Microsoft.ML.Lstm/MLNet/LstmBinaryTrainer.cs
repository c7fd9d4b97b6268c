using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Trains a recurrent network (LSTM, peephole LSTM or GRU) that classifies each sequence into one of two
/// classes, minimising the sigmoid cross-entropy of a single logit. Made by
/// <c>mlContext.BinaryClassification.Trainers.Lstm(...)</c>.
/// </summary>
/// <remarks>
/// The label is a <see cref="bool"/> column. The returned transformer writes <c>Score</c> (the logit),
/// <c>Probability</c> and <c>PredictedLabel</c>, which <c>BinaryClassification.Evaluate</c> reads.
/// </remarks>
public sealed class LstmBinaryTrainer : LstmTrainerBase<SequenceBinaryClassificationTransformer>
{
    /// <summary>Options of <see cref="LstmBinaryTrainer"/>; see <see cref="LstmTrainerOptionsBase"/> for each one.</summary>
    public sealed class Options : LstmTrainerOptionsBase
    {
    }

    internal LstmBinaryTrainer(IHostEnvironment env, Options options)
        : base(env, nameof(LstmBinaryTrainer), (options ?? throw new ArgumentNullException(nameof(options))).Snapshot())
    {
    }

    private protected override string TaskName => "binary classifier";

    private protected override LabelColumn ReadLabelColumn(DataViewSchema schema, string setName) =>
        BooleanLabelColumn.From(schema, TrainerOptions.LabelColumnName, setName);

    private protected override SchemaShape.Column[] PlanOutputColumns(SchemaShape inputSchema)
    {
        BooleanLabelColumn.CheckShape(inputSchema, TrainerOptions.LabelColumnName);
        return PredictionColumnShapes.BinaryClassification();
    }

    private protected override HeadSpec CreateHead(LabelColumn label, IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation) =>
        LstmOptionsMapping.ToPooledHeadSpec(TrainerOptions, label.OutputSize, LossKind.SigmoidBinaryCrossEntropy);

    private protected override SequenceBinaryClassificationTransformer CreateTransformer(SequenceModel model, SequenceFeatures features, LabelColumn label, Standardization? targetScaling) =>
        new(Environment, model, features);
}
