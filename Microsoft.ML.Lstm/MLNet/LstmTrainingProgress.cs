namespace Microsoft.ML.Lstm;

/// <summary>What an LSTM trainer reports after each epoch (to <see cref="LstmTrainerOptionsBase.Progress"/> and to <c>MLContext.Log</c>).</summary>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="MaximumEpochs">The most epochs the run may take (early stopping may end it sooner).</param>
/// <param name="TrainingLoss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidationLoss">Loss on the validation set, or null when there is none.</param>
/// <param name="ValidationAccuracy">Fraction of the validation set predicted right (classification), else null.</param>
/// <param name="LearningRate">The learning rate the epoch ran with.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="EstimatedRemaining">Time the remaining epochs would take at the mean pace so far.</param>
public sealed record LstmTrainingProgress(
    int Epoch, int MaximumEpochs, double TrainingLoss, double? ValidationLoss, double? ValidationAccuracy,
    double LearningRate, TimeSpan Elapsed, TimeSpan EstimatedRemaining)
{
    /// <summary>
    /// The tagger's micro-averaged span F1 on the validation set (what it keeps the best epoch by, see
    /// <see cref="LstmTaggerTrainer.Options"/>), or null for the other trainers and without a validation set.
    /// </summary>
    public double? ValidationScore { get; init; }
}
