namespace Microsoft.ML.Lstm.Tests;

/// <summary>
/// A long-running test (the "Soak" category) that runs only when the environment variable <c>LSTM_SOAK</c> is 1,
/// so that CI and everyday runs skip it: <c>LSTM_SOAK=1 dotnet test Microsoft.ML.Lstm.Tests -c Release --filter Category=Soak</c>.
/// </summary>
public sealed class SoakFactAttribute : FactAttribute
{
    /// <summary>The environment variable that turns soak tests on.</summary>
    public const string Variable = "LSTM_SOAK";

    /// <summary>Skips the test unless <see cref="Variable"/> is 1.</summary>
    public SoakFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"A soak test: set {Variable}=1 to run it.";
    }
}
