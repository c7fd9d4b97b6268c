namespace Microsoft.ML.Lstm;

/// <summary>Thrown when the training loss or gradient becomes NaN or infinite; no model is produced.</summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>Creates the exception with a message saying where training diverged.</summary>
    public TrainingDivergedException(string message) : base(message)
    {
    }
}
