using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Trains a recurrent network (LSTM, peephole LSTM or GRU) that predicts a number from each sequence,
/// minimising squared error or the Huber loss. Made by <c>mlContext.Regression.Trainers.Lstm(...)</c>.
/// </summary>
/// <remarks>
/// The label is a <see cref="float"/> column, and the returned transformer writes <c>Score</c> (a float), which
/// <c>Regression.Evaluate</c> reads; or the label is a known-size vector of K floats (several targets, one network
/// output each), and <c>Score</c> is a vector of K. Networks learn faster when labels are of order 1: scale large
/// targets first.
/// </remarks>
public sealed class LstmRegressionTrainer : LstmTrainerBase<SequenceRegressionTransformer>
{
    /// <summary>Options of <see cref="LstmRegressionTrainer"/>; see <see cref="LstmTrainerOptionsBase"/> for the shared ones.</summary>
    public sealed class Options : LstmTrainerOptionsBase
    {
        /// <summary>What training minimises. Default: <see cref="RegressionLossFunction.Squared"/>.</summary>
        public RegressionLossFunction LossFunction = RegressionLossFunction.Squared;

        /// <summary>For <see cref="RegressionLossFunction.Huber"/>: the error beyond which the loss grows linearly, positive. Default: 1.</summary>
        public double HuberDelta = 1;

        internal override void Validate()
        {
            base.Validate();
            Require(Enum.IsDefined(LossFunction), nameof(LossFunction), LossFunction, "a RegressionLossFunction");
            Require(HuberDelta > 0 && double.IsFinite(HuberDelta), nameof(HuberDelta), HuberDelta, "a positive number");
        }
    }

    private readonly Options options;

    internal LstmRegressionTrainer(IHostEnvironment env, Options options)
        : base(env, nameof(LstmRegressionTrainer), (options ?? throw new ArgumentNullException(nameof(options))).Snapshot())
    {
        this.options = (Options)TrainerOptions;
    }

    private protected override string TaskName => "regressor";

    private protected override LabelColumn ReadLabelColumn(DataViewSchema schema, string setName) =>
        RegressionLabel.From(schema, TrainerOptions.LabelColumnName, setName);

    private protected override SchemaShape.Column[] PlanOutputColumns(SchemaShape inputSchema) =>
        PredictionColumnShapes.Regression(vectorScore: RegressionLabel.CheckShape(inputSchema, TrainerOptions.LabelColumnName));

    private protected override HeadSpec CreateHead(LabelColumn label, IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation) =>
        LstmOptionsMapping.ToPooledHeadSpec(TrainerOptions, label.OutputSize, LstmOptionsMapping.ToEngine(options.LossFunction)) with { HuberDelta = options.HuberDelta };

    private protected override SequenceRegressionTransformer CreateTransformer(SequenceModel model, SequenceFeatures features, LabelColumn label) =>
        new(Environment, model, features, vectorScore: label is SingleVectorLabelColumn);
}
