namespace Microsoft.ML.Lstm.Networks;

/// <summary>How a training run went.</summary>
/// <param name="EpochsRun">Epochs completed before the run ended.</param>
/// <param name="BestEpoch">The epoch whose weights the network holds now (the best on validation, or the last).</param>
/// <param name="StoppedEarly">Whether early stopping ended the run.</param>
/// <param name="History">The report of every epoch.</param>
internal sealed record TrainingResult(int EpochsRun, int BestEpoch, bool StoppedEarly, IReadOnlyList<TrainingProgress> History);
