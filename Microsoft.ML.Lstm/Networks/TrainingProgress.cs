namespace Microsoft.ML.Lstm.Networks;

/// <summary>What the trainer reports after each epoch.</summary>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="Epochs">The most epochs the run may take.</param>
/// <param name="TrainingLoss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidationLoss">Loss on the validation set, or null without one.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set for classification losses, else null.</param>
/// <param name="LearningRate">The learning rate the epoch ran with.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="EstimatedRemaining">Time the remaining epochs would take at the mean pace so far.</param>
internal sealed record TrainingProgress(
    int Epoch, int Epochs, double TrainingLoss, double? ValidationLoss, double? ValidationAccuracy,
    double LearningRate, TimeSpan Elapsed, TimeSpan EstimatedRemaining)
{
    /// <summary>The <see cref="TrainingOptions.ValidationScore"/> of the epoch's network, or null without one.</summary>
    public double? ValidationScore { get; init; }

    /// <summary>One line for a log.</summary>
    public override string ToString()
    {
        string validation = ValidationLoss is double loss ? $", validation loss {loss:F4}" : "";
        string accuracy = ValidationAccuracy is double acc ? $", validation accuracy {acc:P2}" : "";
        string score = ValidationScore is double value ? $", validation score {value:F4}" : "";
        return $"epoch {Epoch}/{Epochs}: training loss {TrainingLoss:F4}{validation}{accuracy}{score}, learning rate {LearningRate:G3}, " +
               $"elapsed {Elapsed:hh\\:mm\\:ss}, about {EstimatedRemaining:hh\\:mm\\:ss} left";
    }
}
