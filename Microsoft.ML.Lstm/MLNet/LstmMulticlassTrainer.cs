using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Trains a recurrent network (LSTM, peephole LSTM or GRU) that classifies each sequence into one of K
/// classes, minimising the softmax cross-entropy of K logits. Made by
/// <c>mlContext.MulticlassClassification.Trainers.Lstm(...)</c>.
/// </summary>
/// <remarks>
/// The label is a key column (map it with <c>MapValueToKey</c>); its key count is K and its key values
/// name the classes. The returned transformer writes <c>Score</c> (the K class probabilities) and
/// <c>PredictedLabel</c> (a key with the label's values), which <c>MulticlassClassification.Evaluate</c> reads.
/// </remarks>
public sealed class LstmMulticlassTrainer : LstmTrainerBase<SequenceMulticlassClassificationTransformer>
{
    /// <summary>Options of <see cref="LstmMulticlassTrainer"/>; see <see cref="LstmTrainerOptionsBase"/> for the shared ones.</summary>
    public sealed class Options : LstmTrainerOptionsBase
    {
        /// <summary>
        /// One weight per class, in key order, multiplying each row's loss by its class's weight (raise
        /// the weight of rare classes); null weighs every class 1. Default: null.
        /// </summary>
        public float[]? ClassWeights;

        internal override void Validate()
        {
            base.Validate();
            if (ClassWeights is not null)
            {
                for (int k = 0; k < ClassWeights.Length; k++)
                {
                    float weight = ClassWeights[k];
                    Require(weight >= 0 && float.IsFinite(weight), $"{nameof(ClassWeights)}[{k}]", weight, "0 or positive");
                }
            }
        }
    }

    private readonly float[]? classWeights;

    internal LstmMulticlassTrainer(IHostEnvironment env, Options options)
        : base(env, nameof(LstmMulticlassTrainer), (options ?? throw new ArgumentNullException(nameof(options))).Snapshot())
    {
        // The snapshot is shallow: keep a copy the user cannot change later.
        classWeights = options.ClassWeights is null ? null : (float[])options.ClassWeights.Clone();
    }

    private protected override string TaskName => "multiclass classifier";

    private protected override LabelColumn ReadLabelColumn(DataViewSchema schema, string setName) =>
        KeyLabelColumn.From(schema, TrainerOptions.LabelColumnName, setName);

    private protected override SchemaShape.Column[] PlanOutputColumns(SchemaShape inputSchema) =>
        PredictionColumnShapes.MulticlassClassification(KeyLabelColumn.CheckShape(inputSchema, TrainerOptions.LabelColumnName));

    private protected override HeadSpec CreateHead(LabelColumn label, IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation)
    {
        PooledHeadSpec head = LstmOptionsMapping.ToPooledHeadSpec(TrainerOptions, label.OutputSize, LossKind.SoftmaxCrossEntropy);
        if (classWeights is null)
            return head;
        int classCount = ((KeyLabelColumn)label).ClassCount;
        if (classWeights.Length != classCount)
        {
            throw new ArgumentOutOfRangeException(nameof(Options.ClassWeights),
                $"The LSTM trainer's option ClassWeights has {classWeights.Length} weights; the label column '{label.Column.Name}' has {classCount} classes.");
        }
        return head with { ClassWeights = (float[])classWeights.Clone() };
    }

    private protected override SequenceMulticlassClassificationTransformer CreateTransformer(SequenceModel model, SequenceFeatures features, LabelColumn label, Standardization? targetScaling) =>
        new(Environment, model, features, ((KeyLabelColumn)label).ClassNames);
}
