using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Passes each epoch's report from the engine to <c>MLContext.Log</c> (as an ML.NET channel message) and to
/// the user's <see cref="IProgress{T}"/>, synchronously on the training thread.
/// </summary>
internal sealed class TrainingProgressRelay : IProgress<TrainingProgress>
{
    private readonly IChannel channel;
    private readonly IProgress<LstmTrainingProgress>? userProgress;

    public TrainingProgressRelay(IChannel channel, IProgress<LstmTrainingProgress>? userProgress)
    {
        this.channel = channel;
        this.userProgress = userProgress;
    }

    /// <summary>Sends a line to <c>MLContext.Log</c> (a checkpoint resumed or set aside).</summary>
    public void Info(string message) => channel.Info(message);

    public void Report(TrainingProgress value)
    {
        channel.Info(value.ToString());
        userProgress?.Report(LstmOptionsMapping.ToPublic(value));
    }
}
