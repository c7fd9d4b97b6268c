namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Lowers the learning rate when a lower-is-better metric stops improving, as PyTorch's ReduceLROnPlateau:
/// after <c>patience</c> epochs without an improvement larger than a relative <c>threshold</c>, the rate is
/// multiplied by <c>factor</c>, never going below <c>minimum</c>.
/// </summary>
internal sealed class ReduceLearningRateOnPlateau
{
    private readonly double factor, minimum, threshold;
    private readonly int patience;
    private double best = double.PositiveInfinity;
    private int badEpochs;

    /// <summary>Creates the schedule.</summary>
    public ReduceLearningRateOnPlateau(double factor, int patience, double minimum, double threshold = 1e-4)
    {
        if (factor is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The decay factor must be in (0, 1].");
        this.factor = factor;
        this.patience = Math.Max(0, patience);
        this.minimum = minimum;
        this.threshold = threshold;
    }

    /// <summary>
    /// Records whether an epoch improved on the best so far, judged by the caller (for a metric this schedule cannot
    /// compare itself, such as a score with ties broken by a loss), and returns the learning rate to use next.
    /// </summary>
    /// <summary>What the schedule remembers between epochs (the best metric, the epochs since), for a checkpoint.</summary>
    public (double Best, int BadEpochs) State
    {
        get => (best, badEpochs);
        set => (best, badEpochs) = value;
    }

    public double Update(bool improved, double currentLearningRate)
    {
        if (improved)
        {
            badEpochs = 0;
            return currentLearningRate;
        }
        if (++badEpochs <= patience)
            return currentLearningRate;
        badEpochs = 0;
        return Math.Max(minimum, currentLearningRate * factor);
    }

    /// <summary>Records an epoch's metric and returns the learning rate to use next.</summary>
    public double Update(double metric, double currentLearningRate)
    {
        if (metric < best * (1 - threshold))
        {
            best = metric;
            badEpochs = 0;
            return currentLearningRate;
        }
        if (++badEpochs <= patience)
            return currentLearningRate;
        badEpochs = 0;
        return Math.Max(minimum, currentLearningRate * factor);
    }
}
