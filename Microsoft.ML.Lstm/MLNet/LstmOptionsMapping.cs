using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The one place where the public options become the engine's: public enums to the engine's enums, and
/// <see cref="LstmTrainerOptionsBase"/> to a <see cref="NetworkSpec"/> and <see cref="TrainingOptions"/>.
/// </summary>
internal static class LstmOptionsMapping
{
    public static CellType ToEngine(RecurrentCellType cell) => cell switch
    {
        RecurrentCellType.Lstm => CellType.Lstm,
        RecurrentCellType.PeepholeLstm => CellType.PeepholeLstm,
        RecurrentCellType.Gru => CellType.Gru,
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown recurrent cell type."),
    };

    public static MergeMode ToEngine(BidirectionalMergeMode merge) => merge switch
    {
        BidirectionalMergeMode.Concat => MergeMode.Concat,
        BidirectionalMergeMode.Sum => MergeMode.Sum,
        BidirectionalMergeMode.Mean => MergeMode.Mean,
        _ => throw new ArgumentOutOfRangeException(nameof(merge), merge, "Unknown merge mode."),
    };

    public static PoolingMode ToEngine(SequencePoolingMode pooling) => pooling switch
    {
        SequencePoolingMode.LastState => PoolingMode.LastState,
        SequencePoolingMode.Mean => PoolingMode.Mean,
        SequencePoolingMode.Max => PoolingMode.Max,
        SequencePoolingMode.Attention => PoolingMode.Attention,
        _ => throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown pooling mode."),
    };

    public static OptimizerKind ToEngine(GradientOptimizer optimizer) => optimizer switch
    {
        GradientOptimizer.Adam => OptimizerKind.Adam,
        GradientOptimizer.Sgd => OptimizerKind.Sgd,
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, "Unknown optimizer."),
    };

    public static LossKind ToEngine(RegressionLossFunction loss) => loss switch
    {
        RegressionLossFunction.Squared => LossKind.MeanSquaredError,
        RegressionLossFunction.Huber => LossKind.Huber,
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown regression loss."),
    };

    public static LstmTrainingProgress ToPublic(TrainingProgress report) => new(
        report.Epoch, report.Epochs, report.TrainingLoss, report.ValidationLoss, report.ValidationAccuracy,
        report.LearningRate, report.Elapsed, report.EstimatedRemaining) { ValidationScore = report.ValidationScore };

    /// <summary>The encoder the options describe, for sequences like <paramref name="input"/>.</summary>
    public static EncoderSpec ToEncoderSpec(LstmTrainerOptionsBase options, SequenceInput input) => new()
    {
        Input = input.Kind,
        // One embedding row per key plus one for the missing key 0 (SequenceInput).
        VocabularySize = input.Kind == SequenceInputKind.Tokens ? checked((int)input.TokenKeyCount + 1) : 0,
        EmbeddingSize = input.Kind == SequenceInputKind.Tokens ? options.EmbeddingSize : 0,
        FeaturesPerStep = input.FeaturesPerStep,
        Cell = ToEngine(options.CellType),
        HiddenSize = options.HiddenSize,
        LayerCount = options.LayerCount,
        Bidirectional = options.Bidirectional,
        Merge = ToEngine(options.MergeMode),
        Dropout = options.Dropout,
    };

    /// <summary>The pooled head the options describe, with <paramref name="outputSize"/> outputs trained by <paramref name="loss"/>.</summary>
    public static PooledHeadSpec ToPooledHeadSpec(LstmTrainerOptionsBase options, int outputSize, LossKind loss) => new()
    {
        Pooling = ToEngine(options.Pooling),
        OutputSize = outputSize,
        Loss = loss,
        Dropout = options.Dropout,
    };

    /// <summary>How to train; the seed and the progress sink are resolved by the trainer.</summary>
    public static TrainingOptions ToTrainingOptions(LstmTrainerOptionsBase options, int seed, IProgress<TrainingProgress> progress) => new()
    {
        Epochs = options.Epochs,
        BatchSize = options.BatchSize,
        LearningRate = options.LearningRate,
        Optimizer = ToEngine(options.Optimizer),
        Momentum = options.Momentum,
        WeightDecay = options.WeightDecay,
        L2 = options.L2,
        GradientClipNorm = options.GradientClipNorm,
        EarlyStoppingPatience = options.EarlyStoppingPatience,
        ValidationFraction = options.ValidationFraction,
        Seed = seed,
        Threads = options.NumberOfThreads ?? Math.Max(1, Environment.ProcessorCount),
        Progress = progress,
        CancellationToken = options.CancellationToken,
        CheckpointPath = options.CheckpointPath,
        CheckpointInterval = options.CheckpointInterval,
        Log = progress is TrainingProgressRelay relay ? relay.Info : null,
    };
}
