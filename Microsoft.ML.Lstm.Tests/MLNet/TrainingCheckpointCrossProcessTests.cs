using System.Diagnostics;
using System.Reflection;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// A training process killed mid-training resumes from its checkpoint when started again, and ends with the model an
/// uninterrupted run ends with: the TrainCheck app (a trainer with <c>CheckpointPath</c>, through the catalog entry)
/// run to the end once, and once killed and run again.
/// </summary>
public sealed class TrainingCheckpointCrossProcessTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lstm-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void AKilledTrainingResumesToTheUninterruptedModel()
    {
        string uninterruptedCheckpoint = Path.Combine(directory, "uninterrupted.bin");
        (int exitCode, string expected, string log) = Run(uninterruptedCheckpoint);
        Assert.True(exitCode == 0, $"TrainCheck exited with {exitCode}:\n{log}");
        Assert.False(File.Exists(uninterruptedCheckpoint), "the checkpoint outlived a finished training");

        string checkpoint = Path.Combine(directory, "killed.bin");
        KillOnceTheCheckpointHasGrown(checkpoint);
        Assert.True(File.Exists(checkpoint), "the killed run left no checkpoint");
        (exitCode, string resumed, log) = Run(checkpoint);

        Assert.True(exitCode == 0, $"TrainCheck exited with {exitCode}:\n{log}");
        Assert.Contains("Training resumes from the checkpoint", log);
        Assert.Equal(expected.Split('\n', StringSplitOptions.RemoveEmptyEntries), resumed.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(checkpoint));
    }

    /// <summary>
    /// Starts TrainCheck and kills it (the whole process tree, at once) once its checkpoint has been written three times,
    /// so that the resume starts from the middle of an epoch's work. Not a fixed delay after the first checkpoint: on a
    /// quiet machine the whole training ends about 300 ms after it, and a kill 300 ms late now and then found the
    /// process gone.
    /// </summary>
    private static void KillOnceTheCheckpointHasGrown(string checkpoint)
    {
        using Process process = Process.Start(StartInfo(checkpoint))!;
        _ = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        int writes = 0;
        DateTime lastWrite = default;
        while (writes < 3 && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            // The checkpoint is replaced after every minibatch; a time that changes is another one written.
            DateTime written = File.Exists(checkpoint) ? File.GetLastWriteTimeUtc(checkpoint) : default;
            if (written != default && written != lastWrite)
            {
                writes++;
                lastWrite = written;
            }
            Thread.Sleep(1);
        }
        Assert.False(process.HasExited, $"TrainCheck ended (exit code {(process.HasExited ? process.ExitCode : 0)}) before it could be killed:\n{(process.HasExited ? errors.Result : "")}");
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    private static (int ExitCode, string Output, string Log) Run(string checkpoint)
    {
        using Process process = Process.Start(StartInfo(checkpoint))!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("TrainCheck did not finish within five minutes.");
        }
        return (process.ExitCode, output, errors.Result);
    }

    private static ProcessStartInfo StartInfo(string checkpoint)
    {
        string app = typeof(TrainingCheckpointCrossProcessTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "TrainCheckApp").Value!;
        Assert.True(File.Exists(app), $"The TrainCheck app was not built at {app}.");
        return new ProcessStartInfo(DotnetHost(), ["exec", app, checkpoint])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
    }

    /// <summary>The dotnet host running these tests, so the child uses the same runtime.</summary>
    private static string DotnetHost()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            return fromSdk;
        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
