using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.ML.Data;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Saves in this process and loads in another whose code never names the package, the way a
/// user's app loads a model: a binary classifier and a tagging pipeline. This is the test that
/// fails loudly when an ML.NET internal the package relies on moves.
/// </summary>
public class SequenceTransformerCrossProcessTests
{
    [Fact]
    public void ModelSavedHereLoadsAndScoresIdenticallyInAnotherProcess()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = BinaryRows();
        var data = mlContext.Data.LoadFromEnumerable(rows);

        AssertLoadsAndScoresIdenticallyInAnotherProcess(mlContext, BinaryTransformer(mlContext), data, rows);
    }

    [Fact]
    public void TrainedLstmSavedHereLoadsAndScoresIdenticallyInAnotherProcess()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = BinaryRows();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var options = LstmTestData.Tiny<LstmBinaryTrainer.Options>(featureColumnName: "Features", epochs: 3);
        options.FeaturesPerStep = FeaturesPerStep;

        var transformer = mlContext.BinaryClassification.Trainers.Lstm(options).Fit(data);

        AssertLoadsAndScoresIdenticallyInAnotherProcess(mlContext, transformer, data, rows);
    }

    [Fact]
    public void TrainedTaggerPipelineSavedHereLoadsAndTagsIdenticallyInAnotherProcess()
    {
        var mlContext = new MLContext(seed: 1);
        var raw = mlContext.Data.LoadFromEnumerable(TaggingTestData.Sentences(60, seed: 1, testNames: false));
        var labelled = mlContext.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(raw).Transform(raw);
        var model = mlContext.Transforms.Conversion.MapValueToKey("TokenKeys", "Tokens")
            .Append(mlContext.MulticlassClassification.Trainers.LstmTagger(TaggingTestData.Tiny(epochs: 2)))
            .Fit(labelled);
        TaggedSentence[] sentences = TaggingTestData.Sentences(8, seed: 2, testNames: true);
        var scored = model.Transform(mlContext.Data.LoadFromEnumerable(sentences));
        var expected = scored.GetColumn<uint[]>("PredictedLabel")
            .Zip(scored.GetColumn<float[]>("Score"))
            .Select(p => string.Join(',', p.First) + " " + string.Join(',', p.Second.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture))))
            .ToList();

        string modelPath = TemporaryModelPath();
        string sentencesPath = Path.ChangeExtension(modelPath, ".txt");
        try
        {
            mlContext.Model.Save(model, labelled.Schema, modelPath);
            File.WriteAllLines(sentencesPath, sentences.Select(sentence => string.Join(' ', sentence.Tokens)));

            var (exitCode, output, errors) = RunLoadCheck(modelPath, sentencesPath, "tagging");

            Assert.True(exitCode == 0, $"LoadCheck exited with {exitCode}:\n{errors}");
            Assert.Contains("loaded Microsoft.ML.Lstm.SequenceTaggingTransformer", errors);
            Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            File.Delete(modelPath);
            File.Delete(sentencesPath);
        }
    }

    [Fact]
    public void TrainedForecasterSavedHereLoadsAndForecastsIdenticallyInAnotherProcess()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = ForecastTestData.Rows("a", ForecastTestData.Seasonal(80, 50, 1, seed: 1))
            .Concat(ForecastTestData.Rows("b", ForecastTestData.Seasonal(80, 400, 4, seed: 2))).ToList();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var options = new LstmForecastingEstimator.Options
        {
            OutputColumnName = "Forecast", InputColumnName = "Value", SeriesColumnName = "Series", Horizon = 6, HiddenSize = 8, Epochs = 2, Seed = 1,
        };
        var model = mlContext.Forecasting.ForecastByLstm(options).Fit(data);
        var expected = model.Transform(data).GetColumn<float[]>("Forecast")
            .Select(forecast => string.Join(',', forecast.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture))))
            .ToList();

        string modelPath = TemporaryModelPath();
        string observationsPath = Path.ChangeExtension(modelPath, ".txt");
        try
        {
            mlContext.Model.Save(model, data.Schema, modelPath);
            File.WriteAllLines(observationsPath, rows.Select(row => $"{row.Series},{row.Value.ToString("R", CultureInfo.InvariantCulture)}"));

            var (exitCode, output, errors) = RunLoadCheck(modelPath, observationsPath, "forecast");

            Assert.True(exitCode == 0, $"LoadCheck exited with {exitCode}:\n{errors}");
            Assert.Contains("loaded Microsoft.ML.Lstm.LstmForecastingTransformer", errors);
            Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            File.Delete(modelPath);
            File.Delete(observationsPath);
        }
    }

    private static void AssertLoadsAndScoresIdenticallyInAnotherProcess(
        MLContext mlContext, ITransformer transformer, IDataView data, BinarySequenceRow[] rows)
    {
        var scored = transformer.Transform(data);
        var expected = FloatBits(scored, "Score")
            .Zip(FloatBits(scored, "Probability"), Values<bool>(scored, "PredictedLabel"))
            .Select(p => $"{p.First:x8} {p.Second:x8} {(p.Third ? "true" : "false")}")
            .ToList();

        string modelPath = TemporaryModelPath();
        string sequencesPath = Path.ChangeExtension(modelPath, ".txt");
        try
        {
            mlContext.Model.Save(transformer, data.Schema, modelPath);
            File.WriteAllLines(sequencesPath,
                rows.Select(row => string.Join(',', row.Features.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));

            var (exitCode, output, errors) = RunLoadCheck(modelPath, sequencesPath);

            Assert.True(exitCode == 0, $"LoadCheck exited with {exitCode}:\n{errors}");
            Assert.Contains("loaded Microsoft.ML.Lstm.SequenceBinaryClassificationTransformer", errors);
            Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            File.Delete(modelPath);
            File.Delete(sequencesPath);
        }
    }

    private static (int ExitCode, string Output, string Errors) RunLoadCheck(string modelPath, string sequencesPath, string? mode = null)
    {
        string app = typeof(SequenceTransformerCrossProcessTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "LoadCheckApp").Value!;
        Assert.True(File.Exists(app), $"The LoadCheck app was not built at {app}.");

        var start = new ProcessStartInfo(DotnetHost(), mode is null ? ["exec", app, modelPath, sequencesPath] : ["exec", app, modelPath, sequencesPath, mode])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            Assert.Fail("LoadCheck did not finish within two minutes.");
        }
        return (process.ExitCode, output, errors.Result);
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
