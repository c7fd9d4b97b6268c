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
/// output each), and <c>Score</c> is a vector of K. Each target is standardized with its mean and standard deviation over
/// the training rows, and <c>Score</c> is brought back to the label's units (see <see cref="Options.StandardizeTargets"/>),
/// so targets far from order 1 need no scaling first.
/// </remarks>
public sealed class LstmRegressionTrainer : LstmTrainerBase<SequenceRegressionTransformer>
{
    /// <summary>Options of <see cref="LstmRegressionTrainer"/>; see <see cref="LstmTrainerOptionsBase"/> for the shared ones.</summary>
    public sealed class Options : LstmTrainerOptionsBase
    {
        /// <summary>What training minimises. Default: <see cref="RegressionLossFunction.Squared"/>.</summary>
        public RegressionLossFunction LossFunction = RegressionLossFunction.Squared;

        /// <summary>
        /// For <see cref="RegressionLossFunction.Huber"/>: the error beyond which the loss grows linearly, positive, in
        /// standard deviations of the target when <see cref="StandardizeTargets"/> is on (else in the label's units). Default: 1.
        /// </summary>
        public double HuberDelta = 1;

        /// <summary>
        /// Whether the network learns each target standardized, (y − mean) / std with the mean and standard deviation
        /// over the training rows (a std of 0 counts as 1); <c>Score</c> is brought back as mean + std · output, and the
        /// statistics are saved with the model. Default: true.
        /// </summary>
        public bool StandardizeTargets = true;

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

    private protected override Standardization? StandardizeTargets(LabelColumn label, IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation)
    {
        if (!options.StandardizeTargets)
            return null;
        var accumulator = new Standardization.Accumulator(label.OutputSize);
        foreach (SequenceExample example in training)
            accumulator.Add(example.Targets);
        Standardization scaling = accumulator.ToStandardization();
        foreach (SequenceExample example in training)
            scaling.Apply(example.Targets);
        if (validation is not null)
        {
            foreach (SequenceExample example in validation)
                scaling.Apply(example.Targets);
        }
        return scaling;
    }

    private protected override SequenceRegressionTransformer CreateTransformer(SequenceModel model, SequenceFeatures features, LabelColumn label, Standardization? targetScaling) =>
        new(Environment, model, features, vectorScore: label is SingleVectorLabelColumn, targetScaling);
}
